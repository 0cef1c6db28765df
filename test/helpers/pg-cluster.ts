import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A throw-away Postgres server of our own, so a test may stop and start it without harming others. */
export type PgCluster = { url: string; restart(pauseMs?: number): Promise<void>; destroy(): void };

/** The directory holding initdb and pg_ctl, or undefined when this machine has no Postgres server. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  const found = versions
    .map((version) => join(base, version, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  return found;
}

/** Postgres refuses to run as root: as root the cluster belongs to the postgres user. */
function asOwner(command: string, args: string[]): void {
  const [file, argv] =
    userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: 'pipe' });
}

export async function startPgCluster(bin: string, port: number): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'banditore-pg-'));
  if (userInfo().uid === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const pgCtl = join(bin, 'pg_ctl');
  asOwner(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => asOwner(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => asOwner(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(pauseMs = 0) {
      stop();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      start();
    },
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

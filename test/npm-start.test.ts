import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATA_DIR_LOCK_FILE } from '../src/db/data-dir-lock.js';
import { clusterFileName } from '../src/db/shipped-cluster.js';
import { type BotApiServer, startBotApiServer } from './helpers/bot-api.js';
import { migratedDataDir } from './helpers/db-template.js';
import { botEnv, freePort, root } from './helpers/program.js';
import { builtModule } from './helpers/program-build.js';

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(process.platform !== 'linux')('npm start', () => {
  let api: BotApiServer | undefined;
  const cleanup: (() => void)[] = [];
  afterEach(async () => {
    await api?.close();
    api = undefined;
    for (const clean of cleanup.splice(0)) clean();
  });

  /** `npm start` as a person runs it: this package's start script, from a copy of the package. */
  async function npmStart() {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-npm-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'npm-start-test', type: 'module', scripts: { start: pkg.scripts.start } }),
    );
    // `npm start` runs the build that `npm install` made (its `prepare`); built here as CI's npm ci does.
    const shipped = join(root, 'dist', clusterFileName());
    if (!existsSync(join(root, 'dist', 'main.js')) || !existsSync(shipped))
      execFileSync('npm', ['run', 'build'], { cwd: root });
    // The build ships the new data directory a first start unpacks (src/db/shipped-cluster.ts).
    expect(existsSync(shipped)).toBe(true);
    for (const entry of ['node_modules', 'dist', 'drizzle']) symlinkSync(join(root, entry), join(dir, entry));
    api = await startBotApiServer();
    // Signals are the subject, not a first start: the database is made and migrated already.
    const dataDir = await migratedDataDir(join(dir, 'data'));
    const child = spawn('npm', ['start'], {
      cwd: dir,
      // Its own process group, as a terminal gives it: Ctrl-C signals the whole group.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...botEnv,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        // The program is compiled, and so is the test's stand-in socket (no loader under npm start).
        WA_SOCKET_MODULE: builtModule(join(root, 'test', 'helpers', 'child-socket.ts')),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Whatever it started, even once npm is gone and they are orphans.
    const started: number[] = [];
    cleanup.push(() => {
      for (const pid of [child.pid!, ...started, ...descendants(child.pid!)])
        if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    await vi.waitFor(() => expect(output).toContain('"msg":"banditore running"'), {
      timeout: 60_000,
      interval: 50,
    });
    const tree = descendants(child.pid!).map((pid) => ({ pid, command: commandOf(pid) }));
    started.push(...tree.map((p) => p.pid));
    return { child, exited, output: () => output, dataDir, tree };
  }

  async function expectStoppedBeforeNpmReturned(run: Awaited<ReturnType<typeof npmStart>>) {
    expect(await run.exited, run.output()).toBe(0);
    // When npm returns, the program has finished shutting down: nothing of it runs on.
    const program = run.tree.filter((p) => p.command.includes('dist/main.js'));
    expect(program).toHaveLength(1);
    expect(alive(program[0]!.pid)).toBe(false);
    await vi.waitFor(() => expect(run.tree.filter((p) => alive(p.pid))).toEqual([]), { timeout: 5_000 });
    expect(run.output()).toContain('"msg":"stopped"');
    expect(existsSync(join(run.dataDir, DATA_DIR_LOCK_FILE))).toBe(false);
  }

  it('returns only after the program stopped when a supervisor sends SIGTERM to npm', async () => {
    const run = await npmStart();
    process.kill(run.child.pid!, 'SIGTERM');
    await expectStoppedBeforeNpmReturned(run);
  }, 120_000);

  it('returns only after the program stopped on Ctrl-C (SIGINT to the whole process group)', async () => {
    const run = await npmStart();
    process.kill(-run.child.pid!, 'SIGINT');
    await expectStoppedBeforeNpmReturned(run);
  }, 120_000);
});

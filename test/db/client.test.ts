import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { optIn } from '../../src/core/subscriptions.js';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { clusterFileName } from '../../src/db/shipped-cluster.js';
import { describeWithDatabase } from '../helpers/db.js';
import { emptyPostgres } from '../helpers/empty-postgres.js';
import { botEnv, freePort, healthy, killProgram, root, startProgram } from '../helpers/program.js';
import { builtModule } from '../helpers/program-build.js';

describeWithDatabase('LISTEN/NOTIFY', (ctx) => {
  it('wakes the sender once per approval, not once per queued delivery', async () => {
    for (const n of [1, 2, 3]) {
      await optIn(ctx.db, {
        address: { phoneJid: `39333000000${n}@s.whatsapp.net` },
        messageId: `M${n}`,
        privacyVersion: '1',
      });
    }
    let wakes = 0;
    const unlisten = await ctx.database.listen('banditore_deliveries', () => {
      wakes += 1;
    });
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1] });
    const { queued } = await approve(ctx.db, {
      bulletinId: draft.id,
      version: 1,
      userId: 2,
      name: 'Approvatore',
      adminIds: [1, 2],
    });
    expect(queued).toBe(3);
    await vi.waitFor(() => expect(wakes).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wakes).toBe(1);
    await unlisten();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('migrations on Postgres', () => {
  it('can run from two processes starting at once', async () => {
    const empty = await emptyPostgres(process.env.TEST_DATABASE_URL!);
    try {
      const both = await Promise.all([openDatabase({ url: empty.url }), openDatabase({ url: empty.url })]);
      await Promise.all(both.map((database) => database.close()));
    } finally {
      await empty.drop();
    }
  });
});

describe('a first start on the embedded database', () => {
  // The subject is memory, not time: a first start (initdb) under a loaded machine took > 20 s.
  it('makes the data directory in a process of its own, leaving initdb’s memory behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-first-start-'));
    try {
      const before = process.memoryUsage().external;
      const database = await openDatabase({ dataDir: join(dir, 'data') });
      try {
        // WebAssembly memory counts as external: an open PGlite adds ~140 MB, or ~310-570 MB when
        // initdb ran in this thread (it never shrinks; the lower figure with --liftoff-only).
        expect((process.memoryUsage().external - before) / 2 ** 20).toBeLessThan(200);
        const [row] = rowsOf<{ n: number | string }>(
          await database.db.execute(sql`SELECT count(*) AS n FROM lists WHERE is_default`),
        );
        expect(Number(row?.n)).toBe(1);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('unpacks the new data directory shipped beside the built program instead of running initdb', async () => {
    const shipped = join(dirname(builtModule(join(root, 'src', 'main.ts'))), clusterFileName());
    const cluster = new PGlite({ loadDataDir: new Blob([readFileSync(shipped)]) });
    const identifier = async (db: PGlite) =>
      (await db.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()'))
        .rows[0]?.id;
    const expected = await identifier(cluster);
    await cluster.close();
    const dir = mkdtempSync(join(tmpdir(), 'banditore-first-start-'));
    const port = String(await freePort());
    const program = startProgram([], { ...botEnv, DATA_DIR: join(dir, 'data'), PORT: port });
    try {
      await healthy(port, program);
      program.child.kill('SIGTERM');
      expect(await program.exited, program.output()).toBe(0);
      // initdb gives every cluster an identifier of its own: this one is the shipped cluster's.
      const made = new PGlite({ dataDir: join(dir, 'data') });
      try {
        expect(await identifier(made)).toBe(expected);
        expect((await made.query('SELECT 1 FROM lists WHERE is_default')).rows).toHaveLength(1);
      } finally {
        await made.close();
      }
    } finally {
      await killProgram(program);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the process making the data directory dies with the program that started it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-first-start-'));
    const dataDir = join(dir, 'data');
    const program = startProgram([], { ...botEnv, DATA_DIR: dataDir, PORT: String(await freePort()) });
    try {
      // Making it (unpacking the shipped cluster, or initdb) takes seconds: kill the program meanwhile.
      const maker = await vi.waitFor(
        () => {
          const pid = processRunning('pglite-init-worker', dataDir);
          if (pid === undefined) throw new Error('no process is making the data directory yet');
          return pid;
        },
        { timeout: 30_000, interval: 20 },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      program.child.kill('SIGKILL');
      await program.exited;
      // Left running, it would write on in a directory the next start may already be making.
      // Without its watchdog it lives on for seconds, making the directory; 2 s leaves room for the
      // watchdog thread to start on a loaded machine (1 s was missed once in a clean CI run).
      await vi.waitFor(() => expect(alive(maker)).toBe(false), { timeout: 2_000, interval: 20 });
    } finally {
      await killProgram(program);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The pid of a running process whose command line has all of `parts`, from /proc. */
function processRunning(...parts: string[]): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parts.every((part) => command.includes(part))) return Number(entry);
    } catch {}
  }
  return undefined;
}

/** Running, not a zombie waiting for whoever adopted it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

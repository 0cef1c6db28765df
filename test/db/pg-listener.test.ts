import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgListener, type PgListener } from '../../src/db/pg-listener.js';
import { type PgCluster, postgresBinDir, startPgCluster } from '../helpers/pg-cluster.js';
import { freePort } from '../helpers/program.js';

const bin = postgresBinDir();

// Postgres only, on a private cluster this test may restart.
describe.skipIf(!process.env.TEST_DATABASE_URL || !bin)('LISTEN/NOTIFY across a Postgres restart', () => {
  let cluster: PgCluster;
  let listener: PgListener;
  const notify = async (channel: string) => {
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      await sql`SELECT pg_notify(${channel}, '')`;
    } finally {
      await sql.end({ timeout: 1 });
    }
  };

  beforeAll(async () => {
    cluster = await startPgCluster(bin!, await freePort());
    listener = createPgListener(cluster.url);
  }, 60_000);
  afterAll(async () => {
    await listener?.close();
    cluster?.destroy();
  });

  it('a role stopped while Postgres was down listens again at once when it restarts, and only the new one is woken', {
    timeout: 60_000,
  }, async () => {
    const old = { a: 0, b: 0 };
    const offA = await listener.listen('chan_a', () => old.a++);
    const offB = await listener.listen('chan_b', () => old.b++);
    await notify('chan_a');
    await vi.waitFor(() => expect(old.a).toBe(1));

    const restarting = cluster.restart(1_000);
    // The old role stops while the database is away (postgres.js's own UNLISTEN failed here and
    // its next LISTEN never settled).
    await offA();
    await offB();
    await restarting;

    const fresh = { a: 0 };
    const started = Date.now();
    await listener.listen('chan_a', () => fresh.a++);
    expect(Date.now() - started).toBeLessThan(15_000);
    await vi.waitFor(
      async () => {
        await notify('chan_a');
        expect(fresh.a).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(old).toEqual({ a: 1, b: 0 });
  });

  it('after the connection comes back, every handler is called once for what was notified meanwhile', {
    timeout: 60_000,
  }, async () => {
    let calls = 0;
    await listener.listen('chan_c', () => calls++);
    await cluster.restart(500);
    await vi.waitFor(() => expect(calls).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
    const before = calls;
    await notify('chan_c');
    await vi.waitFor(() => expect(calls).toBe(before + 1));
  });
});

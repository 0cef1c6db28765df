import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const url = process.env.TEST_DATABASE_URL;

/** A TCP hop in front of Postgres that can go down (its connections cut, new ones refused) and up. */
async function hop(targetPort: number) {
  let down = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    // Refused as by a server that is down: a reset, which the driver sees as an error.
    if (down) return client.resetAndDestroy();
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    down() {
      down = true;
      for (const socket of open) socket.destroy();
    },
    up() {
      down = false;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe.skipIf(!url)('reconnecting to Postgres', () => {
  let target: TestDatabase | undefined;
  afterAll(async () => {
    await target?.drop();
  });

  // postgres.js counts every failure of the pool and waited up to 20 s before trying again, on a
  // server that was long back (4-20 s here without our backoff).
  it('answers within about a second of the server coming back, however many queries failed meanwhile', async () => {
    target = await createTestDatabase('postgres', url);
    const address = new URL(target.url!);
    const proxy = await hop(Number(address.port || 5432));
    address.host = `127.0.0.1:${proxy.port}`;
    let database: Database | undefined;
    try {
      database = await openDatabase({ url: address.toString() });
      await database.db.execute(sql`SELECT 1`);
      proxy.down();
      // Three seconds down, with the program asking all the while.
      const downUntil = Date.now() + 3_000;
      let failed = 0;
      while (Date.now() < downUntil) {
        await database.db.execute(sql`SELECT 1`).catch(() => (failed += 1));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(failed).toBeGreaterThan(5);
      proxy.up();
      const back = Date.now();
      for (;;) {
        const ok = await database.db.execute(sql`SELECT 1`).then(
          () => true,
          () => false,
        );
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(Date.now() - back).toBeLessThan(2_500);
    } finally {
      await database?.close().catch(() => {});
      await proxy.close();
    }
  }, 60_000);
});

import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createList } from '../../src/core/lists.js';
import { messageIdSecret } from '../../src/core/message-id.js';
import { rowsOf } from '../../src/db/client.js';
import { createTestDatabase, engines } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';

// The suite's test databases are kept and reused between describe blocks of a worker
// (test/helpers/pglite-pool.ts, postgres-pool.ts): what one block did must never show in, or
// reach, the next.
describe.each(engines)('a test database a block is done with (%s)', ({ engine, url }) => {
  it('refuses the finished block every call, and the next block starts empty', async () => {
    const first = await createTestDatabase(engine, url);
    await seedSubscribers(first.db, 3);
    await first.drop();

    await expect(first.db.execute(sql`SELECT 1`)).rejects.toThrow();

    const next = await createTestDatabase(engine, url);
    try {
      const [count] = rowsOf<{ n: number }>(
        await next.db.execute(sql`SELECT count(*)::int AS n FROM subscribers`),
      );
      expect(count?.n).toBe(0);
      // Sequences start over, as in a new database.
      await seedSubscribers(next.db, 1);
      const [id] = rowsOf<{ id: number }>(
        await next.db.execute(sql`SELECT min(id)::int AS id FROM subscribers`),
      );
      expect(id?.id).toBe(1);
    } finally {
      await next.drop();
    }
  });

  it('gives the next block’s first list the id a new installation gives it', async () => {
    const first = await createTestDatabase(engine, url);
    await createList(first.db, { actorId: 1, adminIds: [1], name: 'Scuole' });
    await first.drop();

    const next = await createTestDatabase(engine, url);
    try {
      await createList(next.db, { actorId: 1, adminIds: [1], name: 'Sport' });
      const [row] = rowsOf<{ id: number }>(
        await next.db.execute(sql`SELECT id FROM lists WHERE slug = 'sport'`),
      );
      expect(row?.id).toBe(2);
    } finally {
      await next.drop();
    }
  });

  it('leaves no dead rows of a table it emptied itself to the next block', async () => {
    const first = await createTestDatabase(engine, url);
    await seedSubscribers(first.db, 500);
    await first.db.execute(sql`DELETE FROM subscribers`);
    await first.drop();

    const next = await createTestDatabase(engine, url);
    try {
      // As in a new database: no page, so no dead row or index entry for a scan to read.
      const [size] = rowsOf<{ bytes: number }>(
        await next.db.execute(sql`SELECT pg_relation_size('subscribers')::int AS bytes`),
      );
      expect(size?.bytes).toBe(0);
    } finally {
      await next.drop();
    }
  });

  it('leaves no setting it made to the next block', async () => {
    const first = await createTestDatabase(engine, url);
    await first.db.execute(sql`SET statement_timeout = '1234ms'`);
    await first.drop();

    const next = await createTestDatabase(engine, url);
    try {
      const [setting] = rowsOf<{ statement_timeout: string }>(
        await next.db.execute(sql`SHOW statement_timeout`),
      );
      expect(setting?.statement_timeout).toBe('0');
    } finally {
      await next.drop();
    }
  });

  it('hears no notification for a finished block, though the next block raises it', async () => {
    const first = await createTestDatabase(engine, url);
    let heardByFirst = 0;
    await first.listen('pool_probe', () => {
      heardByFirst++;
    });
    await first.drop();

    const next = await createTestDatabase(engine, url);
    try {
      let heardByNext = 0;
      await next.listen('pool_probe', () => {
        heardByNext++;
      });
      await next.db.execute(sql`NOTIFY pool_probe`);
      await expect.poll(() => heardByNext).toBe(1);
      expect(heardByFirst).toBe(0);
    } finally {
      await next.drop();
    }
  });

  it('has a message id secret again after a block removed it, as a new installation has', async () => {
    const first = await createTestDatabase(engine, url);
    await first.db.execute(sql`DELETE FROM secrets`);
    await first.drop();

    const next = await createTestDatabase(engine, url);
    try {
      expect(await messageIdSecret(next.db)).toHaveLength(32);
    } finally {
      await next.drop();
    }
  });

  it('closed by its block, stays closed to it', async () => {
    const database = await createTestDatabase(engine, url);
    await database.close();
    await expect(database.db.execute(sql`SELECT 1`)).rejects.toThrow();
    await database.drop();
  });

  it.runIf(engine === 'postgres')(
    'ends every other session on it, as a program the block started would hold',
    async () => {
      const first = await createTestDatabase(engine, url);
      const other = postgres(first.url!, { max: 1, onnotice: () => {} });
      const admin = postgres(url!, { max: 1, onnotice: () => {} });
      try {
        const [{ pid }] = await other<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
        await first.drop();
        await expect
          .poll(
            async () =>
              (await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`)[0]?.n,
          )
          .toBe(0);
      } finally {
        await other.end({ timeout: 1 });
        await admin.end();
      }
    },
  );
});

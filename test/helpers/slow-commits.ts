import { setTimeout as sleep } from 'node:timers/promises';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Database, Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';

/**
 * The same database, whose transactions are answered `ms` late: when the caller hears of a
 * commit, it is long done (its rows are there, its notifications sent). Other code sharing the
 * database may act on it first, as it can on a busy machine.
 */
export function withSlowCommits(database: Database, ms: number): Database {
  const client = (database.db as unknown as { $client: object }).$client;
  const slow = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      // PGlite's transaction() and postgres.js's begin() commit before they resolve.
      if (key === 'transaction' || key === 'begin')
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          await sleep(ms);
          return result;
        };
      return value.bind(target);
    },
  });
  const options = { client: slow, schema, casing: 'snake_case' } as const;
  const db =
    database.engine === 'pglite' ? drizzlePglite(options as never) : drizzlePostgres(options as never);
  return { ...database, db: db as unknown as Db };
}

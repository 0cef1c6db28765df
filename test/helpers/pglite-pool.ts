import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { type Database, type Db, openDatabase } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { pgliteTemplate } from './db-template.js';

// Opening an in-memory PGlite from the migrated template costs ~0.9 s of CPU (the 42 MB dump read
// into WebAssembly's file system, Postgres started, the migrations checked), and the suite opened
// one per describe block: ~170. Files in a worker share its modules (isolate: false), so a
// database a block is done with is emptied and kept for the next block instead (measured: see the
// README's suite section). What keeps blocks apart is the lease: a view of the client that refuses
// every call once its block closes or drops it, as a closed PGlite does, so nothing a test leaves
// running reaches the next block's data, and its LISTENs go with it.

/** Databases kept per worker; more open at once are closed when done, as before. */
const KEEP = 2;
const idle: PGlite[] = [];

export type LeasedPglite = Database & { release(): Promise<void> };

/** An empty migrated in-memory database: one a finished block left, or a new one. */
export async function leasePglite(reset: (db: Db) => Promise<void>): Promise<LeasedPglite> {
  let client = idle.pop();
  if (client) {
    try {
      await reset(drizzle({ client, schema, casing: 'snake_case' }) as unknown as Db);
    } catch {
      await client.close().catch(() => {});
      client = undefined;
    }
  }
  client ??= rawClient(await openDatabase({ loadDataDir: await pgliteTemplate() }));
  return lease(client);
}

function rawClient(database: Database): PGlite {
  return (database.db as unknown as { $client: PGlite }).$client;
}

function lease(client: PGlite): LeasedPglite {
  let ended = false;
  const unlistens = new Set<() => Promise<void>>();
  const closed = () => new Error('PGlite is closed');
  const view = new Proxy(client, {
    get(target, key) {
      if (key === 'closed') return ended || target.closed;
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      // PGlite keeps its state in WeakMaps keyed by the instance: every call is made on it.
      return (...args: unknown[]) => (ended ? Promise.reject(closed()) : value.apply(target, args));
    },
  });
  const db = drizzle({ client: view, schema, casing: 'snake_case' }) as unknown as Db;

  async function end(): Promise<void> {
    if (ended) return;
    ended = true;
    for (const unlisten of unlistens) await unlisten().catch(() => {});
    unlistens.clear();
    await giveBack(client);
  }

  return {
    db,
    engine: 'pglite',
    listen: async (channel, onNotify) => {
      if (ended) throw closed();
      const unlisten = await client.listen(channel, () => {
        if (!ended) onNotify();
      });
      unlistens.add(unlisten);
      return async () => {
        if (unlistens.delete(unlisten)) await unlisten();
      };
    },
    close: end,
    release: end,
  };
}

/** Session state a block may have left (settings, locks, prepared plans) goes; the rows go at the next lease. */
async function giveBack(client: PGlite): Promise<void> {
  if (client.closed || idle.length >= KEEP) {
    await client.close().catch(() => {});
    return;
  }
  try {
    await client.exec('DISCARD ALL');
    idle.push(client);
  } catch {
    await client.close().catch(() => {});
  }
}

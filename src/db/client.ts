import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type LockLog, lockDataDir } from './data-dir-lock.js';
import { connectionLimits } from './driver-quirks.js';
import { initialiseDataDir, isNewDataDir } from './first-start.js';
import { createPgListener, type Listener } from './pg-listener.js';
import * as schema from './schema.js';

export type { Listener };

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a core function can run its queries on: the database or an open transaction. */
export type Queryable = Db | Tx;

export type Database = {
  db: Db;
  engine: 'pglite' | 'postgres';
  /** LISTEN on a channel; the returned function UNLISTENs. */
  listen: Listener;
  close(): Promise<void>;
};

const MIGRATION_LOCK = 7_405_220_001;
const migrationsFolder = findMigrations();

/** drizzle/ at the package root, found upward from this file (in src/db or in a build of it). */
function findMigrations(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the drizzle/ migrations folder was not found');
    dir = parent;
  }
  return join(dir, 'drizzle');
}

export type DatabaseOptions = {
  /** Postgres connection string; when absent, PGlite in dataDir (or in memory when dataDir is absent). */
  url?: string | undefined;
  dataDir?: string | undefined;
  /** An in-memory PGlite starts from this dump of a data directory (tests clone a migrated one). */
  loadDataDir?: Blob | undefined;
  maxConnections?: number;
  /** How long to wait for another process to release dataDir (default 30 s). */
  lockWaitMs?: number;
  /** Where the data directory lock says it waits or takes over a stale lock (stderr by default). */
  log?: LockLog;
};

const stderrLog: LockLog = {
  info: (obj, msg) => console.error(`banditore: ${msg} (${JSON.stringify(obj)})`),
  warn: (obj, msg) => console.error(`banditore: ${msg} (${JSON.stringify(obj)})`),
};

/**
 * Opens the database and applies the committed migrations from drizzle/. An embedded data
 * directory is locked first, so only one process at a time ever opens it; close() releases it.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  if (!options.dataDir) return openPglite(undefined, options.loadDataDir);
  mkdirSync(options.dataDir, { recursive: true });
  const lock = await lockDataDir(options.dataDir, {
    waitMs: options.lockWaitMs ?? 30_000,
    log: options.log ?? stderrLog,
  });
  try {
    if (isNewDataDir(options.dataDir)) await initialiseDataDir(options.dataDir);
    const database = await openPglite(options.dataDir);
    return {
      ...database,
      close: async () => {
        try {
          await database.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, {
    max,
    ...connectionLimits,
    onnotice: () => {},
    connection: { application_name: 'banditore' },
  });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' });
  const listener = createPgListener(url);
  try {
    // Bot and bridge may start together against one Postgres: one migrates, the other waits.
    const lock = await client.reserve();
    try {
      await lock`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(db, { migrationsFolder });
    } finally {
      await lock`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      lock.release();
    }
  } catch (err) {
    await listener.close();
    await client.end({ timeout: 1 });
    throw err;
  }
  return {
    db: db as unknown as Db,
    engine: 'postgres',
    listen: listener.listen,
    close: async () => {
      await listener.close();
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * PGlite's own defaults, plus buffers sized for the small machine the embedded database is for
 * (Postgres' defaults assume a server: 128 MB of shared buffers). Measured by `npm run bench`.
 */
const PGLITE_START_PARAMS = [
  ...(PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams,
  ...[
    'shared_buffers=16MB',
    'wal_buffers=1MB',
    'work_mem=2MB',
    'maintenance_work_mem=16MB',
    'temp_buffers=1MB',
  ].flatMap((setting) => ['-c', setting]),
];

/**
 * V8 compiles PGlite's WebAssembly (9 MB) with its baseline compiler and then recompiles each
 * function that runs a little with its optimising one, on background threads. At start-up nearly all
 * of Postgres runs a little: the recompiling cost 5 s of CPU and held a start at 3.5 s to /healthz
 * on 2 cores. Ten times V8's budget leaves it to the functions that stay hot (queries, inserts):
 * 3.3 s of CPU and 2.4 s to /healthz, sending as fast (measured, see README). Read when a module is
 * instantiated, so setting it before the first PGlite is enough.
 */
const WASM_TIERING_BUDGET = '--wasm-tiering-budget=18000000';

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  setFlagsFromString(WASM_TIERING_BUDGET);
  const client = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: PGLITE_START_PARAMS,
  });
  const db = drizzlePglite({ client, schema, casing: 'snake_case' });
  try {
    await migratePglite(db, { migrationsFolder });
  } catch (err) {
    await client.close();
    throw err;
  }
  return {
    db: db as unknown as Db,
    engine: 'pglite',
    listen: async (channel, onNotify) => client.listen(channel, () => onNotify()),
    close: () => client.close(),
  };
}

/** Rows of a raw SQL statement, whichever driver ran it (PGlite wraps them, postgres.js does not). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

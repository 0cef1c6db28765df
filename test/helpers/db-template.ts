import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.js';

// Migrating 22 files into a fresh database costs seconds per describe block (PGlite also runs
// initdb each time). Every test database is instead a copy of one database migrated once per set of
// migrations: a PGlite data directory dump in the temp dir, a template database on Postgres. Both
// are keyed by a hash of drizzle/, so a changed or added migration builds a new one.

/** The project's root: two levels up from test/helpers, three from the bench's compiled copy. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('db-template: no drizzle/ above this file');
    dir = parent;
  }
  return dir;
}

const ROOT = projectRoot();
const DRIZZLE = join(ROOT, 'drizzle');

function migrationsHash(): string {
  const hash = createHash('sha256');
  // A dump is only read back by the PGlite that wrote it.
  hash.update(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  hash.update(readFileSync(join(DRIZZLE, 'meta', '_journal.json')));
  for (const file of readdirSync(DRIZZLE)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file);
    hash.update(readFileSync(join(DRIZZLE, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

const HASH = migrationsHash();
const PGLITE_DIR = join(tmpdir(), `banditore-pglite-template-${HASH}`);
const PGLITE_DUMP = `${PGLITE_DIR}.tar`;
/** The Postgres database every test database is created from. */
export const POSTGRES_TEMPLATE = `banditore_template_${HASH}`;

/**
 * Builds the migrated PGlite data directory and its dump unless they exist. Each is built under
 * another name and renamed when whole, so concurrent builders and a builder killed halfway leave
 * nothing half-made behind.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  if (existsSync(PGLITE_DIR) && existsSync(PGLITE_DUMP)) return PGLITE_DUMP;
  const suffix = randomBytes(4).toString('hex');
  const building = `${PGLITE_DIR}.${suffix}`;
  const database = await openDatabase({ dataDir: building });
  try {
    const client = (database.db as unknown as { $client: PGlite }).$client;
    // A copy of a running database opens with crash recovery, which would replay sequences' WAL
    // records that log 32 values ahead (the default list's sequence would start at 34): written
    // out first, the copy starts where the migrations left them.
    await client.exec('CHECKPOINT');
    const dump = await client.dumpDataDir('none');
    writeFileSync(`${PGLITE_DUMP}.${suffix}`, Buffer.from(await dump.arrayBuffer()));
    renameSync(`${PGLITE_DUMP}.${suffix}`, PGLITE_DUMP);
  } finally {
    await database.close();
  }
  try {
    renameSync(building, PGLITE_DIR);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return PGLITE_DUMP;
}

/**
 * Makes dataDir a copy of the migrated PGlite data directory, for a program or an openDatabase
 * call that would otherwise run initdb and every migration (seconds each, more under load).
 */
export async function migratedDataDir(dataDir: string): Promise<string> {
  await ensurePgliteTemplate();
  cpSync(PGLITE_DIR, dataDir, { recursive: true });
  return dataDir;
}

let dump: Promise<Blob> | undefined;

/** The migrated PGlite data directory, read once per process. */
export function pgliteTemplate(): Promise<Blob> {
  dump ??= ensurePgliteTemplate().then(async (path) => new Blob([await readFile(path)]));
  return dump;
}

const TEMPLATE_LOCK = 7_405_220_016;
/** Per server: a test file may start its own (database-blink), and files share a worker's modules. */
const built = new Map<string, Promise<void>>();

/** Builds the migrated template database on that server unless it exists (one builder at a time). */
export function ensurePostgresTemplate(baseUrl: string): Promise<void> {
  const server = new URL(baseUrl);
  const key = `${server.host}:${server.port}`;
  let building = built.get(key);
  if (!building) {
    building = buildPostgresTemplate(baseUrl).catch((err) => {
      built.delete(key);
      throw err;
    });
    built.set(key, building);
  }
  return building;
}

async function buildPostgresTemplate(baseUrl: string): Promise<void> {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = (on: postgres.Sql) => on`SELECT 1 FROM pg_database WHERE datname = ${POSTGRES_TEMPLATE}`;
    if ((await exists(admin)).length > 0) return;
    const lock = await admin.reserve();
    try {
      await lock`SELECT pg_advisory_lock(${TEMPLATE_LOCK})`;
      if ((await exists(lock)).length > 0) return;
      // Migrated under another name and renamed when complete, so a builder killed halfway never
      // leaves a half-migrated template behind.
      const building = `banditore_template_building_${randomBytes(6).toString('hex')}`;
      await lock.unsafe(`CREATE DATABASE ${building}`);
      const url = new URL(baseUrl);
      url.pathname = `/${building}`;
      const database = await openDatabase({ url: url.toString(), maxConnections: 2 });
      await database.close();
      for (let attempt = 0; ; attempt++) {
        try {
          // The migrating connections may still be ending on the server.
          await lock.unsafe(`ALTER DATABASE ${building} RENAME TO ${POSTGRES_TEMPLATE}`);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      await lock`SELECT pg_advisory_unlock(${TEMPLATE_LOCK})`.catch(() => {});
      lock.release();
    }
  } finally {
    await admin.end();
  }
}

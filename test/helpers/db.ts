import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { Database, Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { leasePglite } from './pglite-pool.js';
import { leasePostgres } from './postgres-pool.js';

/** The engines every database test runs on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const engines: { engine: 'pglite' | 'postgres'; url?: string }[] = [
  { engine: 'pglite' },
  ...(process.env.TEST_DATABASE_URL
    ? [{ engine: 'postgres' as const, url: process.env.TEST_DATABASE_URL }]
    : []),
];

export type TestDatabase = Database & {
  /** The connection string of this test's own Postgres database (undefined on PGlite). */
  url: string | undefined;
  drop(): Promise<void>;
};

/**
 * A fresh database migrated from drizzle/: PGlite in memory, or a new database on the Postgres
 * server. Both are copies of one database migrated once (see db-template.ts); opening them still
 * runs the migrator, which finds every migration applied. It may be one an earlier block of the
 * same worker used, emptied (see pglite-pool.ts and postgres-pool.ts).
 */
export async function createTestDatabase(
  engine: 'pglite' | 'postgres',
  baseUrl?: string,
): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await leasePglite(resetDatabase);
    return { ...database, url: undefined, drop: database.release };
  }
  const database = await leasePostgres(baseUrl!, resetDatabase);
  return { ...database, drop: database.release };
}

/** Every table a test may fill; the default list, the message id secret and the bridge state row stay. */
export const TABLES = [
  'subscribers',
  'subscriptions',
  'subscription_events',
  'auto_replies',
  'replies',
  'media',
  'bulletins',
  'bulletin_versions',
  'bulletin_lists',
  'deliveries',
  'delivery_counts',
  'receipts',
  'staff_members',
  'staff_notices',
  'audit_log',
  'wa_auth',
  'inbound_messages',
  'active_roles',
  'imports',
  'erased_numbers',
  'bulletin_outlets',
  'publications',
  'outlet_health',
  'archive_entries',
  'channel_requests',
  'whatsapp_channel',
  'cloud_events',
  'cloud_sends',
  'cloud_windows',
  'cloud_media',
  'cloud_account',
];

// A TRUNCATE costs a new file per table and index whether or not the table holds rows, and a test
// fills a few tables: only those are truncated (CASCADE, as before, empties what refers to them).
// A table emptied by DELETE counts as filled: its files keep dead rows and index entries, which a
// later test reusing the database would read (the outbox's index-read count saw 86,338).
// Every sequence of these tables restarts, as RESTART IDENTITY did. One round trip.
const RESET = `
DO $reset$
DECLARE
  t text;
  filled boolean;
  dirty text[] := '{}';
  seq record;
BEGIN
  FOREACH t IN ARRAY ARRAY['${TABLES.join("','")}'] LOOP
    filled := pg_relation_size(t::regclass) > 0;
    IF filled THEN dirty := dirty || t; END IF;
  END LOOP;
  IF cardinality(dirty) > 0 THEN
    EXECUTE 'TRUNCATE ' || (SELECT string_agg(quote_ident(d), ', ') FROM unnest(dirty) d) || ' CASCADE';
  END IF;
  FOR seq IN
    SELECT s.seqrelid, s.seqstart FROM pg_sequence s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    WHERE d.refobjid::regclass::text = ANY (ARRAY['${TABLES.join("','")}'])
  LOOP
    PERFORM setval(seq.seqrelid, seq.seqstart, false);
  END LOOP;
  -- The message id secret is made by a migration, as at a first start (made again, as that
  -- migration does, if a test took it away); the reply salt on first use.
  DELETE FROM secrets WHERE name <> 'message_id';
  INSERT INTO secrets (name, value)
  VALUES ('message_id', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')))
  ON CONFLICT (name) DO NOTHING;
  DELETE FROM bridge_state;
  INSERT INTO bridge_state (id) VALUES (1);
  DELETE FROM lists WHERE NOT is_default;
  -- The default list as migration 0001 makes it, whatever a test renamed or archived.
  UPDATE lists SET slug = 'notizie', name = 'Notizie del Comune',
    description = 'Avvisi e notizie ufficiali del Comune', archived_at = NULL
  WHERE is_default;
  -- The next list gets the id it would get in a new installation.
  PERFORM setval(pg_get_serial_sequence('lists', 'id'), (SELECT max(id) FROM lists));
END
$reset$`;

/** Empties every table but keeps the default list, as a fresh installation has it. */
export async function resetDatabase(db: Db): Promise<void> {
  await db.execute(sql.raw(RESET));
}

/**
 * Runs a describe block once per engine with one database per block, reset before each test.
 * `ctx.db` and `ctx.database` are ready inside tests and hooks.
 */
export function describeWithDatabase(
  name: string,
  body: (ctx: { db: Db; database: TestDatabase }) => void,
): void {
  describe.each(engines)(`${name} (%s)`, ({ engine, url }) => {
    const ctx = {} as { db: Db; database: TestDatabase };
    beforeAll(async () => {
      ctx.database = await createTestDatabase(engine, url);
      ctx.db = ctx.database.db;
    }, 60_000);
    afterAll(async () => {
      await ctx.database?.drop();
    });
    beforeEach(async () => {
      await resetDatabase(ctx.db);
    });
    body(ctx);
  });
}

/**
 * The test's database again, with drizzle's own query log: each statement the code under test
 * runs through it is passed to `onQuery` as it is sent.
 */
export function loggedDb(database: TestDatabase, onQuery: (query: string, params: unknown[]) => void): Db {
  const client = (database.db as unknown as { $client: never }).$client;
  const logger = { logQuery: (query: string, params: unknown[]) => onQuery(query, params) };
  const db =
    database.engine === 'pglite'
      ? drizzlePglite({ client, schema, casing: 'snake_case', logger })
      : drizzlePostgres({ client, schema, casing: 'snake_case', logger });
  return db as unknown as Db;
}

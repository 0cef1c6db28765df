import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { type Database, type Db, openDatabase } from '../../src/db/client.js';

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

/** A fresh database migrated from drizzle/: PGlite in memory, or a new database on the Postgres server. */
export async function createTestDatabase(
  engine: 'pglite' | 'postgres',
  baseUrl?: string,
): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await openDatabase({});
    return { ...database, url: undefined, drop: () => database.close() };
  }
  const name = `banditore_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(baseUrl!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), maxConnections: 5 });
  return {
    ...database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Empties every table but keeps the default list, as a fresh installation has it. */
export async function resetDatabase(db: Db): Promise<void> {
  await db.execute(sql`
    TRUNCATE subscribers, subscriptions, subscription_events, auto_replies, replies, media, bulletins,
             bulletin_versions, bulletin_lists, deliveries, receipts, staff_members, staff_notices,
             audit_log, wa_auth, inbound_messages, bridge_state, active_roles, imports, erased_numbers,
             bulletin_outlets, publications, outlet_health,
             archive_entries, channel_requests, whatsapp_channel, cloud_events, cloud_sends, cloud_windows,
             cloud_media, cloud_account
             RESTART IDENTITY CASCADE`);
  // The message id secret is made by a migration, as at a first start; the reply salt on first use.
  await db.execute(sql`DELETE FROM secrets WHERE name <> 'message_id'`);
  await db.execute(sql`INSERT INTO bridge_state (id) VALUES (1)`);
  await db.execute(sql`DELETE FROM lists WHERE NOT is_default`);
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

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, type Db, openDatabase } from '../../src/db/client.js';
import { ensurePostgresTemplate, POSTGRES_TEMPLATE } from './db-template.js';

// A test database on Postgres was a CREATE DATABASE from the template and a DROP per describe
// block (~0.4 s of the server's CPU each, ~170 in the suite). On the suite's own server
// (TEST_DATABASE_URL) a worker keeps the databases its finished blocks used and empties one for the
// next block instead. When a block is done, its connections close and every other session on that
// database is ended (a program it started, a second pool), as DROP ... WITH (FORCE) did, so nothing
// it left running reaches the next block. A server a test starts itself (database-blink) is not
// the suite's: its databases are made and dropped as before.

/** Databases kept per worker. */
const KEEP = 2;
const idle: string[] = [];
/** This run's databases are named after it, so its teardown drops them and no other run's. */
export const TEST_RUN_PREFIX = `banditore_test_${process.env.BANDITORE_TEST_RUN ?? 'solo'}_`;

export type LeasedPostgres = Database & { url: string; release(): Promise<void> };

export async function leasePostgres(
  baseUrl: string,
  reset: (db: Db) => Promise<void>,
): Promise<LeasedPostgres> {
  const kept = baseUrl === process.env.TEST_DATABASE_URL;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  const urlOf = (name: string) => Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
  const drop = (name: string) => admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  let name = kept ? idle.pop() : undefined;
  let database: Database | undefined;
  if (name) {
    try {
      database = await openDatabase({ url: urlOf(name), maxConnections: 5 });
      await reset(database.db);
    } catch {
      await database?.close().catch(() => {});
      await drop(name).catch(() => {});
      name = undefined;
      database = undefined;
    }
  }
  if (!name || !database) {
    name = `${TEST_RUN_PREFIX}${randomBytes(6).toString('hex')}`;
    await ensurePostgresTemplate(baseUrl);
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${POSTGRES_TEMPLATE}`);
    database = await openDatabase({ url: urlOf(name), maxConnections: 5 });
  }
  const leased = database;
  const leasedName = name;
  let released = false;
  return {
    ...leased,
    url: urlOf(leasedName),
    release: async () => {
      if (released) return;
      released = true;
      try {
        await leased.close();
        if (kept && idle.length < KEEP) {
          await admin.unsafe(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [leasedName],
          );
          idle.push(leasedName);
        } else {
          await drop(leasedName);
        }
      } finally {
        await admin.end();
      }
    },
  };
}

import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type { Database } from './client.js';

/** Rows the dump inserts into each public table, to verify a restore against. */
export function rowsInDump(script: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const [, table] of script.matchAll(/^INSERT INTO public\."?(\w+)"? /gm)) {
    rows.set(table!, (rows.get(table!) ?? 0) + 1);
  }
  return rows;
}

/**
 * Checks a dump is one this restore can run (plain SQL with INSERTs, as db:backup or
 * `pg_dump --inserts` make) and drops what only psql or a newer server understands.
 */
export function prepareDump(script: string): string {
  if (!/^-- PostgreSQL database dump/m.test(script)) {
    throw new Error('this file is not a plain-SQL pg_dump (db:backup makes one)');
  }
  if (/^COPY \S+ .*FROM stdin;$/m.test(script)) {
    throw new Error('this dump holds COPY blocks, which only psql can load: make it with pg_dump --inserts');
  }
  const meta = /^\\(?!(un)?restrict\b)\S+/m.exec(script);
  if (meta) throw new Error(`this dump holds the psql command ${meta[0]}; only plain SQL can be restored`);
  return (
    script
      // psql's \restrict guard (pg_dump 17.6 and later) and a setting Postgres 16 and older lack.
      .replace(/^\\(un)?restrict\b.*$/gm, '')
      .replace(/^SET transaction_timeout = 0;$/gm, '')
  );
}

/**
 * Replaces the database's schemas with those of the dump and loads its rows, all in one
 * transaction: a dump that fails half-way leaves the database as it was. The caller has checked
 * the database holds no data, and reopens it afterwards so newer migrations apply.
 */
export async function loadDump(database: Database, script: string): Promise<void> {
  const createsPublic = /^CREATE SCHEMA public;$/m.test(script);
  const reset = `DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA public CASCADE;${createsPublic ? '' : ' CREATE SCHEMA public;'}`;
  if (database.engine === 'pglite') {
    const pg = (database.db as unknown as { $client: PGlite }).$client;
    await pg.transaction(async (tx) => {
      await tx.exec(reset);
      await tx.exec(script);
    });
    return;
  }
  const client = (database.db as unknown as { $client: Sql }).$client;
  await client.begin(async (tx) => {
    await tx.unsafe(reset);
    await tx.unsafe(script);
  });
}

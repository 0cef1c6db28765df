import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import { type Database, openDatabase } from './client.js';
import { type CopyProgress, copyDatabase } from './copy.js';

export type DumpProgress = { step: 'copy'; progress: CopyProgress } | { step: 'dump' };

/**
 * A plain SQL dump of the whole database (schema, data, the migrations applied, the WhatsApp
 * login), made by pg_dump built for PGlite, with one INSERT per row naming its columns, no owners
 * and no grants: it loads into an empty PGlite or any Postgres. A Postgres database is first
 * copied, in one snapshot, into a scratch embedded database, so both engines dump the same way.
 */
export async function dumpDatabase(
  database: Database,
  onProgress: (progress: DumpProgress) => void = () => {},
): Promise<string> {
  if (database.engine === 'pglite') {
    onProgress({ step: 'dump' });
    return dumpPglite(database);
  }
  const dir = mkdtempSync(join(tmpdir(), 'banditore-dump-'));
  try {
    const scratch = await openDatabase({ dataDir: dir });
    try {
      await copyDatabase(database, scratch, (progress) => onProgress({ step: 'copy', progress }));
      onProgress({ step: 'dump' });
      return await dumpPglite(scratch);
    } finally {
      await scratch.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dumpPglite(database: Database): Promise<string> {
  const pg = (database.db as unknown as { $client: PGlite }).$client;
  const file = await pgDump({ pg, args: ['--no-owner', '--no-privileges', '--column-inserts'] });
  return file.text();
}

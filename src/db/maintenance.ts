import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

/**
 * Makes the room of deleted and updated rows reusable. PGlite runs Postgres in single-user mode,
 * with no autovacuum, so without this every delete and update only ever adds to its data
 * directory; on Postgres it does what autovacuum would, a little sooner. Not a VACUUM FULL: files
 * do not shrink, the room is reused.
 */
export async function reclaimSpace(database: Pick<Database, 'db'>): Promise<void> {
  await database.db.execute(sql`VACUUM`);
}

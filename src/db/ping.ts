import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * True when the database answers a `select 1` within `timeoutMs`. Postgres.js would wait for a
 * lost server up to its connect timeout (30 s): a health check must answer sooner than that.
 */
export async function pingDatabase(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const answered = db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}

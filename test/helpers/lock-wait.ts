import { sql } from 'drizzle-orm';
import { expect, vi } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import type { TestDatabase } from './db.js';

/**
 * Resolves once one session of the test's Postgres database waits on a lock, e.g. on a row another
 * transaction of the test holds. On PGlite, which runs one transaction at a time, at once.
 */
export async function untilOneWaitsOnALock(database: TestDatabase): Promise<void> {
  if (database.engine !== 'postgres') return;
  await vi.waitFor(
    async () => {
      const [row] = rowsOf<{ n: number }>(
        await database.db.execute(
          sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        ),
      );
      expect(row?.n).toBe(1);
    },
    { timeout: 5_000, interval: 20 },
  );
}

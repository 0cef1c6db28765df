import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { describeWithDatabase, TABLES } from '../helpers/db.js';

// The tables that keep their rows between tests, as a fresh installation has them.
const KEPT = ['lists', 'secrets', 'bridge_state'];

describeWithDatabase('the test reset', (ctx) => {
  it('knows every table the migrations make, so no test sees an earlier test’s rows', async () => {
    const rows = rowsOf<{ name: string }>(
      await ctx.db.execute(
        sql`SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      ),
    );
    const missing = rows.map((r) => r.name).filter((name) => !TABLES.includes(name) && !KEPT.includes(name));
    expect(missing).toEqual([]);
  });
});

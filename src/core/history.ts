import { desc } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins } from '../db/schema.js';

/** The latest bulletins, newest first, with what staff need to tell them apart. */
export async function recentBulletins(db: Queryable, limit = 15) {
  return db
    .select({
      id: bulletins.id,
      state: bulletins.state,
      text: bulletins.text,
      createdAt: bulletins.createdAt,
      sendAt: bulletins.sendAt,
      finishedAt: bulletins.finishedAt,
    })
    .from(bulletins)
    .orderBy(desc(bulletins.id))
    .limit(limit);
}

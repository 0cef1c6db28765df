import { desc } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins } from '../db/schema.js';
import { parseBody, plainText } from './body.js';

/** The latest bulletins, newest first, with what staff need to tell them apart (plain text). */
export async function recentBulletins(db: Queryable, limit = 15) {
  const rows = await db
    .select({
      id: bulletins.id,
      state: bulletins.state,
      body: bulletins.body,
      createdAt: bulletins.createdAt,
      sendAt: bulletins.sendAt,
      finishedAt: bulletins.finishedAt,
    })
    .from(bulletins)
    .orderBy(desc(bulletins.id))
    .limit(limit);
  return rows.map(({ body, ...row }) => ({ ...row, text: plainText(parseBody(body)) }));
}

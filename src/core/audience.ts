import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import type { BulletinAudience } from './bulletins.js';

/**
 * Who of a bulletin's lists it goes to, as a condition on their membership row `s` (a
 * subscriptions row): a bulletin always goes to members of its lists, and its audience can only
 * narrow that. 'imported_unreached' keeps those who joined by import and were never sent
 * anything (nothing sent, nothing queued), which is who the transition notice is for.
 */
export function audienceCondition(audience: BulletinAudience): SQL {
  if (audience === 'all') return sql`true`;
  return sql`s.source = 'import' AND s.subscriber_id NOT IN (
    SELECT d.subscriber_id FROM deliveries d WHERE d.state IN ('sent', 'pending'))`;
}

/** How many people a bulletin would be queued for now: its lists' members, narrowed by its audience. */
export async function audienceSize(db: Queryable, bulletinId: number, audience: BulletinAudience) {
  const [row] = rowsOf<{ n: number | string }>(
    await db.execute(sql`
      SELECT count(DISTINCT s.subscriber_id) AS n
      FROM bulletin_lists bl
      JOIN subscriptions s ON s.list_id = bl.list_id AND s.left_at IS NULL
      JOIN subscribers sub ON sub.id = s.subscriber_id AND sub.not_on_whatsapp_at IS NULL AND sub.erased_at IS NULL
      WHERE bl.bulletin_id = ${bulletinId} AND ${audienceCondition(audience)}`),
  );
  return Number(row?.n ?? 0);
}

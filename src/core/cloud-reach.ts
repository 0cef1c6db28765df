import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import { audienceCondition } from './audience.js';
import type { BulletinAudience } from './bulletins.js';

/** Who of a bulletin's audience the Cloud API reaches how, for the preview's estimate. */
export type CloudReach = {
  /** Wrote to us within 24 h: a free-form message (free of charge). */
  inWindow: number;
  /** Outside the window: the template (Meta charges per template message). */
  template: number;
  /** Known only by a LID: not reachable through the Cloud API until they write again. */
  lidOnly: number;
};

/** How the bulletin's recipients split between free-form, template and unreachable, now. */
export async function cloudReach(
  db: Queryable,
  bulletinId: number,
  audience: BulletinAudience,
): Promise<CloudReach> {
  const [row] = rowsOf<Record<keyof CloudReach, string | number>>(
    await db.execute(sql`
      WITH people AS (
        SELECT DISTINCT s.subscriber_id FROM bulletin_lists bl
        JOIN subscriptions s ON s.list_id = bl.list_id AND s.left_at IS NULL
        JOIN subscribers sub ON sub.id = s.subscriber_id AND sub.not_on_whatsapp_at IS NULL AND sub.erased_at IS NULL
        WHERE bl.bulletin_id = ${bulletinId} AND ${audienceCondition(audience)}
      )
      SELECT
        count(*) FILTER (WHERE sub.phone_jid IS NOT NULL AND w.last_inbound_at > now() - interval '24 hours') AS "inWindow",
        count(*) FILTER (WHERE sub.phone_jid IS NOT NULL
          AND (w.last_inbound_at IS NULL OR w.last_inbound_at <= now() - interval '24 hours')) AS "template",
        count(*) FILTER (WHERE sub.phone_jid IS NULL) AS "lidOnly"
      FROM people p JOIN subscribers sub ON sub.id = p.subscriber_id
      LEFT JOIN cloud_windows w ON w.subscriber_id = p.subscriber_id`),
  );
  return {
    inWindow: Number(row?.inWindow ?? 0),
    template: Number(row?.template ?? 0),
    lidOnly: Number(row?.lidOnly ?? 0),
  };
}

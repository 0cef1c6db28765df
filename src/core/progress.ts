import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import { estimateDurationMs, type Pacing } from './pacing.js';
import { recentSends } from './send-history.js';

export type BulletinProgress = {
  total: number;
  sent: number;
  failed: number;
  notOnWhatsapp: number;
  cancelled: number;
  /** Still to go: pending or in flight. */
  remaining: number;
  serverAcks: number;
  delivered: number;
  read: number;
  revoked: number;
};

/**
 * Where a bulletin's sending stands, in one query; receipt counts survive the receipts' pruning,
 * delivery counts the compaction of old delivery rows.
 */
export async function bulletinProgress(db: Queryable, bulletinId: number): Promise<BulletinProgress> {
  const [row] = rowsOf<Record<keyof BulletinProgress, number | string>>(
    await db.execute(sql`
      SELECT d.total + coalesce(c.total, 0) AS total, d.sent + coalesce(c.sent, 0) AS sent,
        d.failed + coalesce(c.failed, 0) AS failed,
        d."notOnWhatsapp" + coalesce(c.not_on_whatsapp, 0) AS "notOnWhatsapp",
        d.cancelled + coalesce(c.cancelled, 0) AS cancelled, d.remaining,
        d.revoked + coalesce(c.revoked, 0) AS revoked,
        b.server_acks AS "serverAcks", b.delivered, b.read
      FROM bulletins b
      CROSS JOIN LATERAL (
        SELECT count(*) AS total,
          count(*) FILTER (WHERE state = 'sent') AS sent,
          count(*) FILTER (WHERE state = 'failed' AND failure IS DISTINCT FROM 'not_on_whatsapp') AS failed,
          count(*) FILTER (WHERE state = 'failed' AND failure = 'not_on_whatsapp') AS "notOnWhatsapp",
          count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
          count(*) FILTER (WHERE state = 'pending') AS remaining,
          count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
        FROM deliveries WHERE bulletin_id = b.id
      ) d
      -- What compaction left of rows past DELIVERY_RETENTION_DAYS (core/retention.ts).
      LEFT JOIN delivery_counts c ON c.bulletin_id = b.id
      WHERE b.id = ${bulletinId}`),
  );
  const progress = {} as BulletinProgress;
  for (const key of [
    'total',
    'sent',
    'failed',
    'notOnWhatsapp',
    'cancelled',
    'remaining',
    'serverAcks',
    'delivered',
    'read',
    'revoked',
  ] as const) {
    progress[key] = Number(row?.[key] ?? 0);
  }
  return progress;
}

/**
 * When this bulletin's sending should end, at the configured pace: counts what is queued ahead of
 * it (higher priority, or same priority and older), what was sent in the last hour and day, and
 * the warm-up of a newly linked number. The same numbers drive the sender.
 */
export async function estimateFinish(
  db: Queryable,
  pacing: Pacing,
  bulletinId: number,
): Promise<{ remaining: number; finishAt: Date }> {
  const [row] = rowsOf<{ ahead: number | string }>(
    await db.execute(sql`
      WITH me AS (SELECT CASE WHEN urgent THEN 1 ELSE 0 END AS priority FROM bulletins WHERE id = ${bulletinId})
      SELECT count(*) AS ahead FROM deliveries d, me
      WHERE d.state = 'pending'
        AND (d.priority > me.priority OR (d.priority = me.priority AND d.bulletin_id <= ${bulletinId}))`),
  );
  // The same counts the sender's caps use.
  const recent = await recentSends(db);
  const remaining = Number(row?.ahead ?? 0);
  const ms = estimateDurationMs(pacing, {
    remaining,
    now: recent.now,
    linkedAt: recent.linkedAt,
    sentLastHour: recent.lastHour,
    sentLastDay: recent.lastDay,
  });
  return { remaining, finishAt: new Date(recent.now.getTime() + ms) };
}

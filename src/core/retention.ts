import { sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { pruneInbound } from './inbound.js';
import { pruneReceipts } from './receipts.js';

/** How long what is not kept forever is kept; README's "What is kept" says the same. */
export type RetentionPolicy = {
  /** Delivery rows of a finished bulletin become its counts this many days after it finished. */
  deliveryDays: number;
  /** Per-recipient receipts (the counts on the bulletin stay). */
  receiptHours: number;
  /** The bytes of a rejected or withdrawn draft's media, counted from the decision. */
  draftMediaDays: number;
  /** Staff notices, posted or not. */
  noticeDays: number;
  /** Answered inbound message ids; unanswered ones are given up after `inboundGiveUpDays`. */
  inboundKeepDays: number;
  inboundGiveUpDays: number;
};

/** The fixed parts of the policy; deliveries and receipts are configured (DELIVERY_RETENTION_DAYS...). */
export const FIXED_RETENTION = {
  draftMediaDays: 30,
  noticeDays: 30,
  // WhatsApp does not replay messages that old.
  inboundKeepDays: 60,
  inboundGiveUpDays: 7,
} as const;

export type RetentionReport = {
  compactedBulletins: number;
  compactedDeliveries: number;
  droppedMedia: number;
  prunedReceipts: number;
  prunedNotices: number;
  prunedInbound: number;
};

/** Bulletins compacted per statement: a bulletin's rows go in one statement, whatever its size. */
const COMPACT_BATCH = 20;

/**
 * Replaces the delivery rows of bulletins finished more than `days` ago with their counts in
 * delivery_counts, so the counts staff see stay the same. The rows counted are exactly the rows
 * the same statement deleted, so two runs at once (bot and bridge apart) never count a row twice.
 * Rows still pending (none should be, once finished) are left alone.
 */
export async function compactDeliveries(
  db: Queryable,
  days: number,
): Promise<{ bulletins: number; deliveries: number }> {
  let bulletinCount = 0;
  let deliveryCount = 0;
  for (;;) {
    const rows = rowsOf<{ total: number | string }>(
      await db.execute(sql`
        WITH old AS (
          SELECT b.id FROM bulletins b
          WHERE b.state IN ('sent', 'stopped')
            AND b.finished_at < now() - make_interval(days => ${days})
            AND (b.revoke_requested_at IS NULL OR b.revoke_done_at IS NOT NULL)
            AND EXISTS (SELECT 1 FROM deliveries d WHERE d.bulletin_id = b.id AND d.state <> 'pending')
          ORDER BY b.id LIMIT ${COMPACT_BATCH}
        ),
        gone AS (
          DELETE FROM deliveries d USING old
          WHERE d.bulletin_id = old.id AND d.state <> 'pending'
          RETURNING d.bulletin_id, d.state, d.failure, d.revoked_at, d.sent_at
        ),
        counted AS (
          SELECT bulletin_id, count(*) AS total,
            count(*) FILTER (WHERE state = 'sent') AS sent,
            count(*) FILTER (WHERE state = 'failed' AND failure IS DISTINCT FROM 'not_on_whatsapp') AS failed,
            count(*) FILTER (WHERE state = 'failed' AND failure = 'not_on_whatsapp') AS not_on_whatsapp,
            count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
            count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked,
            max(sent_at) AS last_sent_at
          FROM gone GROUP BY bulletin_id
        ),
        -- Runs whether or not the last SELECT reads it (a data-modifying WITH always runs once).
        saved AS (
          INSERT INTO delivery_counts AS c
            (bulletin_id, total, sent, failed, not_on_whatsapp, cancelled, revoked, last_sent_at)
          SELECT * FROM counted
          ON CONFLICT (bulletin_id) DO UPDATE SET
            total = c.total + excluded.total, sent = c.sent + excluded.sent,
            failed = c.failed + excluded.failed, not_on_whatsapp = c.not_on_whatsapp + excluded.not_on_whatsapp,
            cancelled = c.cancelled + excluded.cancelled, revoked = c.revoked + excluded.revoked,
            last_sent_at = greatest(c.last_sent_at, excluded.last_sent_at), compacted_at = now()
        )
        SELECT total FROM counted`),
    );
    if (rows.length === 0) break;
    bulletinCount += rows.length;
    for (const row of rows) deliveryCount += Number(row.total);
  }
  return { bulletins: bulletinCount, deliveries: deliveryCount };
}

/**
 * Drops the bytes of media that belong only to rejected or withdrawn drafts decided more than
 * `days` ago (those can never be sent); kind, size and SHA-256 stay for the register. Media also
 * used by any other bulletin or version is kept.
 */
export async function dropDraftMedia(db: Queryable, days: number): Promise<number> {
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      WITH uses AS (
        SELECT media_id, id AS bulletin_id FROM bulletins WHERE media_id IS NOT NULL
        UNION
        SELECT media_id, bulletin_id FROM bulletin_versions WHERE media_id IS NOT NULL
      ),
      expired AS (
        SELECT u.media_id FROM uses u JOIN bulletins b ON b.id = u.bulletin_id
        GROUP BY u.media_id
        HAVING bool_and(b.state IN ('rejected', 'withdrawn')
                        AND b.decided_at < now() - make_interval(days => ${days}))
      )
      UPDATE media m SET data = ''::bytea, dropped_at = now()
      FROM expired e WHERE m.id = e.media_id AND m.dropped_at IS NULL
      RETURNING m.id`),
  );
  return rows.length;
}

/** Forgets staff notices older than `days`, posted or not (one that old is no news). */
export async function pruneStaffNotices(db: Queryable, days: number): Promise<number> {
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`
      DELETE FROM staff_notices WHERE created_at < now() - make_interval(days => ${days}) RETURNING id`),
  );
  return rows.length;
}

/**
 * One pass of retention: compacts old deliveries, drops old draft media, prunes receipts, staff
 * notices and inbound ids. Every step is a set-based statement safe to run from two processes.
 */
export async function applyRetention(db: Db, policy: RetentionPolicy): Promise<RetentionReport> {
  const compacted = await compactDeliveries(db, policy.deliveryDays);
  return {
    compactedBulletins: compacted.bulletins,
    compactedDeliveries: compacted.deliveries,
    droppedMedia: await dropDraftMedia(db, policy.draftMediaDays),
    prunedReceipts: await pruneReceipts(db, policy.receiptHours),
    prunedNotices: await pruneStaffNotices(db, policy.noticeDays),
    prunedInbound: await pruneInbound(db, {
      giveUpDays: policy.inboundGiveUpDays,
      keepDays: policy.inboundKeepDays,
    }),
  };
}

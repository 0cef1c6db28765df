import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { bulletins, bulletinVersions } from '../db/schema.js';
import { audienceCondition } from './audience.js';
import { recordAudit } from './audit.js';
import { bulletinOutlets } from './bulletin-outlets.js';
import { decodeDeliveryMessageId, messageIdSecret } from './message-id.js';
import { queuePublications } from './publications.js';

/**
 * Fan-out: one delivery per active subscriber of the bulletin's lists (a snapshot of this moment)
 * within its audience, as one INSERT ... SELECT; urgent bulletins get a higher priority.
 * Subscribers known not to be on WhatsApp are left out, and a subscriber of two of its lists gets
 * one delivery (DISTINCT, in subscriber order so the (bulletin, subscriber) index fills in order).
 * A bulletin fans out once: the bulletin's row is locked first, so a second call waits for the
 * first to commit and then finds its rows and inserts nothing. That lock, not ON CONFLICT, keeps
 * two at once apart: a speculative insert per row cost a third of the fan-out. Nothing is written
 * per row but the row and its ordered index entries: the message id is derived, not stored.
 * Returns the number of rows queued.
 */
export async function queueDeliveries(tx: Queryable, bulletinId: number): Promise<number> {
  const [bulletin] = await tx
    .select({ audience: bulletins.audience, urgent: bulletins.urgent })
    .from(bulletins)
    .where(eq(bulletins.id, bulletinId))
    .for('update');
  if (!bulletin) return 0;
  const result = await tx.execute(sql`
    WITH queued AS (
      INSERT INTO deliveries (bulletin_id, subscriber_id, priority)
      SELECT DISTINCT ${bulletinId}::int, s.subscriber_id, ${bulletin.urgent ? 1 : 0}::smallint
      FROM bulletin_lists bl
      JOIN subscriptions s ON s.list_id = bl.list_id AND s.left_at IS NULL
      JOIN subscribers sub ON sub.id = s.subscriber_id AND sub.not_on_whatsapp_at IS NULL AND sub.erased_at IS NULL
      WHERE bl.bulletin_id = ${bulletinId} AND ${audienceCondition(bulletin.audience)}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.bulletin_id = ${bulletinId})
      ORDER BY 2
      RETURNING 1
    )
    SELECT count(*)::int AS queued FROM queued`);
  return Number(rowsOf<{ queued: number }>(result)[0]?.queued ?? 0);
}

/**
 * Starts an approved bulletin: it becomes 'sending' and its deliveries (when it goes to WhatsApp
 * 1:1) and its broadcast outlets' publications are queued, in the caller's transaction; the register's 'send_start' carries the version and hash of what goes out. Returns
 * the number queued, or undefined when it was not (or no longer) approved.
 */
export async function startBulletin(tx: Queryable, bulletinId: number): Promise<number | undefined> {
  const started = await tx
    .update(bulletins)
    .set({ state: 'sending', startedAt: sql`now()` })
    .where(and(eq(bulletins.id, bulletinId), eq(bulletins.state, 'approved')))
    .returning({ id: bulletins.id, version: bulletins.version });
  const [bulletin] = started;
  if (!bulletin) return undefined;
  const outlets = await bulletinOutlets(tx, bulletinId);
  // No outlet rows: a bulletin made before outlets existed, which goes to WhatsApp 1:1.
  const oneToOne = outlets.length === 0 || outlets.includes('whatsapp');
  const queued = oneToOne ? await queueDeliveries(tx, bulletinId) : 0;
  const published = await queuePublications(tx, bulletinId);
  const [sent] = await tx
    .select({ hash: bulletinVersions.hash })
    .from(bulletinVersions)
    .where(and(eq(bulletinVersions.bulletinId, bulletinId), eq(bulletinVersions.version, bulletin.version)));
  await recordAudit(tx, {
    actorId: null,
    action: 'send_start',
    bulletinId,
    version: bulletin.version,
    hash: sent?.hash ?? null,
    detail: { queued, ...(published.length > 0 ? { outlets: published } : {}) },
  });
  return queued;
}

/** An approved bulletin whose time has come. */
export const dueBulletin = and(
  eq(bulletins.state, 'approved'),
  sql`coalesce(${bulletins.sendAt}, now()) <= now()`,
);

/** Starts every approved bulletin whose time has come (urgent first); returns their ids. */
export async function startDueBulletins(db: Db): Promise<number[]> {
  const due = await db
    .select({ id: bulletins.id })
    .from(bulletins)
    .where(dueBulletin)
    .orderBy(desc(bulletins.urgent), asc(bulletins.id));
  const started: number[] = [];
  for (const { id } of due) {
    const queued = await db.transaction((tx) => startBulletin(tx, id));
    if (queued !== undefined) started.push(id);
  }
  return started;
}

/**
 * The bulletin to send again when WhatsApp relays a retry request for one of our message ids:
 * only when the request comes from that delivery's recipient (any of `requester`, their phone jid
 * or LID, matches), the message did go out, and staff have not withdrawn it (Ritira) or stopped its
 * bulletin (Ferma). Anything else is nobody's business: undefined.
 */
export async function bulletinForRetry(
  db: Queryable,
  input: { messageId: string; requester: string[] },
): Promise<number | undefined> {
  if (input.requester.length === 0) return undefined;
  const requester = sql.join(
    input.requester.map((jid) => sql`${jid}`),
    sql`, `,
  );
  const key = decodeDeliveryMessageId(await messageIdSecret(db), input.messageId);
  const [row] = rowsOf<{ bulletin_id: number }>(
    await db.execute(sql`
      SELECT d.bulletin_id FROM deliveries d
      JOIN subscribers s ON s.id = d.subscriber_id
      JOIN bulletins b ON b.id = d.bulletin_id
      WHERE ${
        key
          ? sql`d.bulletin_id = ${key.bulletinId} AND d.subscriber_id = ${key.subscriberId} AND d.message_id IS NULL`
          : sql`d.message_id = ${input.messageId}`
      }
        AND (s.phone_jid IN (${requester}) OR s.lid IN (${requester}))
        AND (d.state = 'sent' OR (d.state = 'pending' AND d.lease_token IS NOT NULL))
        AND d.revoked_at IS NULL AND b.revoke_requested_at IS NULL AND b.state IN ('sending', 'sent')`),
  );
  return row?.bulletin_id;
}

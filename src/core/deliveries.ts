import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { bulletins, deliveries, subscribers } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { type BulletinReport, postStaffNotice } from './notices.js';

/** Mirrors deliveryMessageId() in SQL so fan-out stays one set-based statement. */
const messageIdSql = sql`'3EB0' || upper(substr(encode(sha256(convert_to('banditore:' || b.id || ':' || s.subscriber_id, 'UTF8')), 'hex'), 1, 36))`;

/**
 * Fan-out: one delivery per active subscriber of the bulletin's lists (a snapshot of this moment),
 * as one INSERT ... SELECT; urgent bulletins get a higher priority. Subscribers known not to be
 * on WhatsApp are left out. A second call for the same bulletin inserts nothing. Returns the
 * number of rows queued.
 */
export async function queueDeliveries(tx: Queryable, bulletinId: number): Promise<number> {
  const result = await tx.execute(sql`
    WITH queued AS (
      INSERT INTO deliveries (bulletin_id, subscriber_id, message_id, priority)
      SELECT DISTINCT ON (s.subscriber_id) b.id, s.subscriber_id, ${messageIdSql},
             CASE WHEN b.urgent THEN 1 ELSE 0 END
      FROM bulletins b
      JOIN bulletin_lists bl ON bl.bulletin_id = b.id
      JOIN subscriptions s ON s.list_id = bl.list_id AND s.left_at IS NULL
      JOIN subscribers sub ON sub.id = s.subscriber_id AND sub.not_on_whatsapp_at IS NULL AND sub.erased_at IS NULL
      WHERE b.id = ${bulletinId}
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS queued FROM queued`);
  return Number(rowsOf<{ queued: number }>(result)[0]?.queued ?? 0);
}

/**
 * Starts an approved bulletin: it becomes 'sending' and its deliveries are queued, in the caller's
 * transaction. Returns the number queued, or undefined when it was not (or no longer) approved.
 */
export async function startBulletin(tx: Queryable, bulletinId: number): Promise<number | undefined> {
  const started = await tx
    .update(bulletins)
    .set({ state: 'sending', startedAt: sql`now()` })
    .where(and(eq(bulletins.id, bulletinId), eq(bulletins.state, 'approved')))
    .returning({ id: bulletins.id });
  if (started.length === 0) return undefined;
  const queued = await queueDeliveries(tx, bulletinId);
  await recordAudit(tx, { actorId: null, action: 'send_start', bulletinId, detail: { queued } });
  return queued;
}

/** Starts every approved bulletin whose time has come (urgent first); returns their ids. */
export async function startDueBulletins(db: Db): Promise<number[]> {
  const due = await db
    .select({ id: bulletins.id })
    .from(bulletins)
    .where(and(eq(bulletins.state, 'approved'), sql`coalesce(${bulletins.sendAt}, now()) <= now()`))
    .orderBy(desc(bulletins.urgent), asc(bulletins.id));
  const started: number[] = [];
  for (const { id } of due) {
    const queued = await db.transaction((tx) => startBulletin(tx, id));
    if (queued !== undefined) started.push(id);
  }
  return started;
}

/** When the next scheduled bulletin becomes due, so the sender can sleep until then. */
export async function nextDueAt(db: Queryable): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: sql<string | Date | null>`min(${bulletins.sendAt})` })
    .from(bulletins)
    .where(eq(bulletins.state, 'approved'));
  return row?.at ? new Date(row.at) : undefined;
}

export type ClaimedDelivery = {
  id: number;
  bulletinId: number;
  messageId: string;
  leaseToken: string;
  attempts: number;
  jid: string;
  text: string;
};

/**
 * Claims up to `limit` deliveries that are due (pending, or in flight with an expired lease, as
 * after a crash) with a fresh lease token. SKIP LOCKED keeps two senders off the same row; the
 * lease is measured on the database's clock.
 */
export async function claimDeliveries(
  db: Queryable,
  input: { limit: number; leaseSeconds: number },
): Promise<ClaimedDelivery[]> {
  const claimed = rowsOf<{ id: string | number; lease_token: string; attempts: number }>(
    await db.execute(sql`
      WITH due AS (
        SELECT id FROM deliveries
        WHERE (state = 'pending' AND available_at <= now())
           OR (state = 'in_flight' AND lease_until < now())
        ORDER BY id
        LIMIT ${input.limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE deliveries d
      SET state = 'in_flight', lease_token = gen_random_uuid(),
          lease_until = now() + make_interval(secs => ${input.leaseSeconds}), attempts = d.attempts + 1
      FROM due WHERE d.id = due.id
      RETURNING d.id, d.lease_token, d.attempts`),
  );
  if (claimed.length === 0) return [];
  const leases = new Map(claimed.map((row) => [Number(row.id), row]));
  const rows = await db
    .select({
      id: deliveries.id,
      bulletinId: deliveries.bulletinId,
      messageId: deliveries.messageId,
      phoneJid: subscribers.phoneJid,
      lid: subscribers.lid,
      text: bulletins.text,
    })
    .from(deliveries)
    .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
    .innerJoin(bulletins, eq(bulletins.id, deliveries.bulletinId))
    .where(inArray(deliveries.id, [...leases.keys()]))
    .orderBy(deliveries.id);
  return rows.map((row) => {
    const lease = leases.get(row.id)!;
    return {
      id: row.id,
      bulletinId: row.bulletinId,
      messageId: row.messageId,
      leaseToken: lease.lease_token,
      attempts: lease.attempts,
      // Send to the phone jid when known, else to the LID.
      jid: (row.phoneJid ?? row.lid)!,
      text: row.text,
    };
  });
}

/** Marks a claimed delivery sent; a sender whose lease was taken over cannot (fencing). */
export async function markSent(db: Queryable, input: { id: number; leaseToken: string }): Promise<boolean> {
  const rows = await db
    .update(deliveries)
    .set({ state: 'sent', sentAt: new Date(), leaseToken: null, leaseUntil: null, lastError: null })
    .where(
      and(
        eq(deliveries.id, input.id),
        eq(deliveries.leaseToken, input.leaseToken),
        eq(deliveries.state, 'in_flight'),
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length === 1;
}

/**
 * Records a failed attempt: a permanent failure, or the last allowed attempt, fails the delivery
 * with its reason; otherwise it becomes due again after an exponential backoff.
 */
export async function markFailed(
  db: Queryable,
  input: {
    id: number;
    leaseToken: string;
    attempts: number;
    reason: string;
    permanent: boolean;
    maxAttempts: number;
  },
): Promise<'failed' | 'retry' | 'lost_lease'> {
  const final = input.permanent || input.attempts >= input.maxAttempts;
  const backoffSeconds = Math.min(3600, 30 * 2 ** (input.attempts - 1));
  const rows = await db
    .update(deliveries)
    .set(
      final
        ? { state: 'failed', lastError: input.reason, leaseToken: null, leaseUntil: null }
        : {
            state: 'pending',
            lastError: input.reason,
            leaseToken: null,
            leaseUntil: null,
            availableAt: sql`now() + make_interval(secs => ${backoffSeconds})`,
          },
    )
    .where(
      and(
        eq(deliveries.id, input.id),
        eq(deliveries.leaseToken, input.leaseToken),
        eq(deliveries.state, 'in_flight'),
      ),
    )
    .returning({ id: deliveries.id });
  if (rows.length === 0) return 'lost_lease';
  return final ? 'failed' : 'retry';
}

/**
 * Closes every sending bulletin with no delivery left to do and posts its one-line report to the
 * staff group; safe to run from several places, since the state change is conditional.
 */
export async function completeFinishedBulletins(db: Db): Promise<BulletinReport[]> {
  return db.transaction(async (tx) => {
    const done = rowsOf<{ id: number; sent: string | number; failed: string | number }>(
      await tx.execute(sql`
      UPDATE bulletins b SET state = 'sent'
      WHERE b.state = 'sending'
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.bulletin_id = b.id AND d.state IN ('pending', 'in_flight'))
      RETURNING b.id,
        (SELECT count(*) FROM deliveries d WHERE d.bulletin_id = b.id AND d.state = 'sent') AS sent,
        (SELECT count(*) FROM deliveries d WHERE d.bulletin_id = b.id AND d.state = 'failed') AS failed`),
    );
    const reports = done.map((row) => ({
      bulletinId: Number(row.id),
      sent: Number(row.sent),
      failed: Number(row.failed),
    }));
    for (const report of reports) await postStaffNotice(tx, { kind: 'bulletin_sent', ...report });
    return reports;
  });
}

/** The text of a bulletin we sent under this message id, so WhatsApp's retry requests can be answered. */
export async function sentMessageText(db: Queryable, messageId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ text: bulletins.text })
    .from(deliveries)
    .innerJoin(bulletins, eq(bulletins.id, deliveries.bulletinId))
    .where(eq(deliveries.messageId, messageId));
  return row?.text;
}

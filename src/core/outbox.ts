import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { deliveries, subscribers } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { messageIdOf, messageIdSecret } from './message-id.js';
import { type BulletinReport, postStaffNotice } from './notices.js';

export type ClaimedDelivery = {
  id: number;
  bulletinId: number;
  subscriberId: number;
  messageId: string;
  attempts: number;
  phoneJid: string | null;
  lid: string | null;
  /** `onWhatsApp` already confirmed the phone number. */
  waChecked: boolean;
};

/** A batch of deliveries held under one lease token. */
export type Claim = { leaseToken: string; deliveries: ClaimedDelivery[] };

/**
 * Why a delivery failed for good. The Cloud API adds: `undeliverable` (131026), `outside_window`
 * (131047, or no template configured) and `no_phone_number` (a subscriber known only by a LID).
 */
export type Failure =
  | 'not_on_whatsapp'
  | 'invalid_number'
  | 'attempts_exhausted'
  | 'undeliverable'
  | 'outside_window'
  | 'no_phone_number';

/**
 * Claims up to `limit` due deliveries (pending and available, not under a live lease: a crashed
 * sender's expired lease counts as none) of bulletins that are sending and not paused, urgent
 * bulletins first, under one fresh lease token: they are in flight before any socket call. SKIP
 * LOCKED keeps two senders off the same rows; the lease runs on the database's clock. Within a
 * bulletin there is no order: sorting what remains of 130,000 rows would cost more than the claim.
 */
export async function claimDeliveries(
  db: Queryable,
  input: { limit: number; leaseSeconds: number },
): Promise<Claim> {
  const leaseToken = randomUUID();
  const secret = await messageIdSecret(db);
  // One round trip; the statement and why bitmap scans are off for it: migration 0024 (in PL/pgSQL,
  // which keeps its plan, since 0025).
  const result = await db.execute(
    sql`SELECT * FROM banditore_claim_deliveries(${input.limit}, ${input.leaseSeconds}, ${leaseToken})`,
  );
  const rows = rowsOf<{
    id: string | number;
    bulletin_id: number;
    subscriber_id: number;
    message_id: string | null;
    attempts: number;
    phone_jid: string | null;
    lid: string | null;
    wa_checked: boolean;
  }>(result);
  return {
    leaseToken,
    deliveries: rows
      .map((row) => ({
        id: Number(row.id),
        bulletinId: row.bulletin_id,
        subscriberId: row.subscriber_id,
        messageId: messageIdOf(secret, row),
        attempts: row.attempts,
        phoneJid: row.phone_jid,
        lid: row.lid,
        waChecked: row.wa_checked,
      }))
      .sort((a, b) => a.id - b.id),
  };
}

/**
 * Marks deliveries of one claim sent, in one statement. A sender whose lease was taken over
 * cannot (fencing): returns how many rows it could still mark.
 */
export async function markSent(db: Queryable, input: { leaseToken: string; ids: number[] }): Promise<number> {
  if (input.ids.length === 0) return 0;
  // One array parameter, not one parameter per id: a batch can hold thousands. The state is
  // compared as text so that only the primary key can serve: through deliveries_claimable (the
  // planner's pick while statistics still say nothing is pending) it reads the whole backlog.
  const rows = await db
    .update(deliveries)
    .set({ state: 'sent', sentAt: sql`now()`, leaseToken: null, leaseUntil: null, lastError: null })
    .where(
      and(
        sql`${deliveries.id} = ANY(${`{${input.ids.join(',')}}`}::bigint[])`,
        eq(deliveries.leaseToken, input.leaseToken),
        sql`${deliveries.state}::text = 'pending'`,
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length;
}

/**
 * Records a failed attempt: a permanent failure, or the last allowed attempt, fails the delivery
 * with its reason; otherwise it becomes due again after an exponential backoff (30 s, 1 min, ...
 * at most an hour; tests against a stand-in socket start it lower).
 */
export async function markFailed(
  db: Queryable,
  input: {
    id: number;
    leaseToken: string;
    attempts: number;
    reason: string;
    failure?: Failure | undefined;
    maxAttempts: number;
    /** The first backoff, doubled each attempt. */
    retrySeconds?: number | undefined;
  },
): Promise<'failed' | 'retry' | 'lost_lease'> {
  const failure: Failure | undefined =
    input.failure ?? (input.attempts >= input.maxAttempts ? 'attempts_exhausted' : undefined);
  const backoffSeconds = Math.min(3600, (input.retrySeconds ?? 30) * 2 ** (input.attempts - 1));
  const rows = await db
    .update(deliveries)
    .set(
      failure
        ? { state: 'failed', failure, lastError: input.reason, leaseToken: null, leaseUntil: null }
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
        eq(deliveries.state, 'pending'),
      ),
    )
    .returning({ id: deliveries.id });
  if (rows.length === 0) return 'lost_lease';
  if (failure === 'not_on_whatsapp') {
    const [row] = await db
      .select({ subscriberId: deliveries.subscriberId })
      .from(deliveries)
      .where(eq(deliveries.id, input.id));
    if (row) await markNotOnWhatsapp(db, row.subscriberId);
  }
  return failure ? 'failed' : 'retry';
}

/** The phone number is not on WhatsApp: never sent to again, and its other queued deliveries fail. */
export async function markNotOnWhatsapp(db: Queryable, subscriberId: number): Promise<void> {
  await db.update(subscribers).set({ notOnWhatsappAt: sql`now()` }).where(eq(subscribers.id, subscriberId));
  await db
    .update(deliveries)
    .set({ state: 'failed', failure: 'not_on_whatsapp', leaseToken: null, leaseUntil: null })
    .where(and(eq(deliveries.subscriberId, subscriberId), eq(deliveries.state, 'pending')));
}

/** `onWhatsApp` confirmed the number: no need to check it again. */
export async function markWhatsappChecked(db: Queryable, subscriberId: number): Promise<void> {
  await db.update(subscribers).set({ waCheckedAt: sql`now()` }).where(eq(subscribers.id, subscriberId));
}

/** A sending bulletin `b` with nothing left to do on any outlet. */
export const finishedBulletin = sql`b.state = 'sending'
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.bulletin_id = b.id AND d.state = 'pending')
  AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.bulletin_id = b.id AND p.state IN ('pending', 'posting'))`;

/**
 * Closes every sending bulletin with nothing left to do on any outlet (no delivery pending, no
 * publication pending or posting) and posts its one-line report to the staff group; safe to run
 * from several places (core's engine runs in each role), since the state change is conditional.
 */
export async function completeFinishedBulletins(db: Db): Promise<BulletinReport[]> {
  return db.transaction(async (tx) => {
    const done = rowsOf<{ id: number; sent: string | number; failed: string | number }>(
      await tx.execute(sql`
      UPDATE bulletins b SET state = 'sent', finished_at = now()
      WHERE ${finishedBulletin}
      RETURNING b.id,
        (SELECT count(*) FROM deliveries d WHERE d.bulletin_id = b.id AND d.state = 'sent') AS sent,
        (SELECT count(*) FROM deliveries d WHERE d.bulletin_id = b.id AND d.state = 'failed') AS failed`),
    );
    const reports = done.map((row) => ({
      bulletinId: Number(row.id),
      sent: Number(row.sent),
      failed: Number(row.failed),
    }));
    for (const report of reports) {
      await postStaffNotice(tx, { kind: 'bulletin_sent', ...report });
      await recordAudit(tx, {
        actorId: null,
        action: 'send_end',
        bulletinId: report.bulletinId,
        detail: { sent: report.sent, failed: report.failed },
      });
    }
    return reports;
  });
}

/**
 * When the sender should look again although nothing woke it: the earliest expiring lease (a
 * crashed sender's rows), retry time or scheduled bulletin. Undefined when nothing is waiting.
 */
export async function nextWorkAt(db: Queryable): Promise<Date | undefined> {
  const [row] = rowsOf<{ at: string | Date | null }>(
    await db.execute(sql`
      SELECT least(
        (SELECT min(greatest(d.available_at, d.lease_until)) FROM deliveries d
          JOIN bulletins b ON b.id = d.bulletin_id AND b.state = 'sending' AND b.paused_at IS NULL
          WHERE d.state = 'pending'),
        (SELECT min(send_at) FROM bulletins WHERE state = 'approved')
      ) AS at`),
  );
  return row?.at ? new Date(row.at) : undefined;
}

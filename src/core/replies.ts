import { and, asc, count, eq, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { autoReplies, replies } from '../db/schema.js';
import { secret } from './secrets.js';
import { replyKeys } from './sender-hash.js';

/** The per-sender part of the reply budget (the global part is the sender's pace, caps and pause). */
export type ReplyLimits = {
  /** REPLY_MAX_PER_SENDER_HOUR: replies one sender may get in an hour, whatever they write. */
  perSenderPerHour: number;
  /** AUTO_REPLY_COOLDOWN_HOURS: an identical reply is not sent to the same sender again within it. */
  cooldownHours: number;
  /** REPLY_MAX_DELAY_MINUTES: a reply the global budget held back longer than this is dropped. */
  maxDelayMinutes: number;
};

export type ReplyVerdict = 'queued' | 'sender_limit' | 'repeat';

/**
 * Queues a reply to a citizen if their budget allows it: at most `perSenderPerHour` an hour, and
 * never the same text twice within the cooldown (a confirmation of a change just made excepted), so
 * two bots answering each other cannot loop and nobody can make the Comune's number send at will. The sender sends owed replies before bulletins,
 * under the same pace, caps and pause. Serialised per sender, so two messages at once count twice.
 */
export async function queueReply(
  db: Queryable,
  input: {
    sender: string;
    jid: string;
    text: string;
    /** It confirms a change just made (joined, left): not held back as a repeat, still counted. */
    confirmsChange?: boolean;
    /** When the message it answers arrived: the reply is due for REPLY_MAX_DELAY_MINUTES from then. */
    askedAt?: Date | undefined;
  },
  limits: ReplyLimits,
): Promise<ReplyVerdict> {
  const { senderKey, replyKey } = replyKeys(await secret(db, 'reply_salt'), input);
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${senderKey}))`);
    const counted = ne(replies.state, 'dropped');
    const [recent] = await tx
      .select({ n: count() })
      .from(replies)
      .where(
        and(eq(replies.senderKey, senderKey), counted, sql`${replies.createdAt} > now() - interval '1 hour'`),
      );
    if ((recent?.n ?? 0) >= limits.perSenderPerHour) return 'sender_limit';
    if (limits.cooldownHours > 0 && !input.confirmsChange) {
      const [same] = await tx
        .select({ id: replies.id })
        .from(replies)
        .where(
          and(
            eq(replies.replyKey, replyKey),
            counted,
            sql`${replies.createdAt} > now() - make_interval(hours => ${limits.cooldownHours})`,
          ),
        )
        .limit(1);
      if (same) return 'repeat';
    }
    await tx.insert(replies).values({
      senderKey,
      replyKey,
      jid: input.jid,
      text: input.text,
      expiresAt: sql`${input.askedAt ? sql`${input.askedAt.toISOString()}::timestamptz` : sql`now()`} + make_interval(mins => ${limits.maxDelayMinutes})`,
    });
    return 'queued';
  });
}

export type OwedReply = { id: number; jid: string; text: string };

/** Replies still due, oldest first: each sender's answers go out in the order they were written. */
async function owedReplies(db: Queryable, limit: number): Promise<OwedReply[]> {
  const rows = await db
    .select({ id: replies.id, jid: replies.jid, text: replies.text })
    .from(replies)
    .where(and(eq(replies.state, 'owed'), sql`${replies.expiresAt} > now()`))
    .orderBy(asc(replies.id))
    .limit(limit);
  return rows.filter((r): r is OwedReply => r.jid !== null && r.text !== null);
}

/** A reply went out: it now counts against the caps, and its address and text are forgotten. */
async function markReplySent(db: Queryable, id: number): Promise<void> {
  await db
    .update(replies)
    .set({ state: 'sent', sentAt: sql`now()`, jid: null, text: null })
    .where(and(eq(replies.id, id), eq(replies.state, 'owed')));
}

/** What a sender reads its owed replies through, and says it sent one. */
export type ReplyOutbox = {
  /** Replies still due, oldest first, after marking those sent whose mark failed. */
  owed(limit: number): Promise<OwedReply[]>;
  /** The reply went out; if the mark fails (the database is away), it is retried first by `owed`. */
  sent(id: number): Promise<void>;
};

/**
 * One sender's view of the replies: a reply the transport took but whose mark did not reach the
 * database is remembered and marked before any reply is read again, so it is not sent twice.
 */
export function replyOutbox(db: Queryable): ReplyOutbox {
  const unmarked = new Set<number>();
  return {
    async owed(limit) {
      for (const id of [...unmarked]) {
        await markReplySent(db, id);
        unmarked.delete(id);
      }
      return owedReplies(db, limit);
    },
    async sent(id) {
      unmarked.add(id);
      await markReplySent(db, id);
      unmarked.delete(id);
    },
  };
}

/**
 * Drops replies no longer due, forgets who a reply was for once the cooldown (at least the hour
 * of the per-sender budget) has passed, and deletes rows the daily cap no longer counts.
 */
export async function pruneReplies(db: Queryable, cooldownHours: number): Promise<number> {
  await db
    .update(replies)
    .set({ state: 'dropped', jid: null, text: null })
    .where(and(eq(replies.state, 'owed'), sql`${replies.expiresAt} <= now()`));
  const keyHours = Math.max(1, cooldownHours);
  await db
    .update(replies)
    .set({ senderKey: null, replyKey: null })
    .where(
      and(
        isNotNull(replies.senderKey),
        ne(replies.state, 'owed'),
        sql`${replies.createdAt} < now() - make_interval(hours => ${keyHours})`,
      ),
    );
  const deleted = await db
    .delete(replies)
    .where(
      and(
        sql`${replies.senderKey} is null`,
        ne(replies.state, 'owed'),
        lt(sql`coalesce(${replies.sentAt}, ${replies.createdAt})`, sql`now() - interval '1 day'`),
      ),
    )
    .returning({ id: replies.id });
  // Written by an older release during a rolling deploy.
  await db
    .delete(autoReplies)
    .where(sql`${autoReplies.repliedAt} < now() - make_interval(hours => ${cooldownHours})`);
  return deleted.length;
}

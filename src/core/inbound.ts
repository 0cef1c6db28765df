import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { inboundMessages } from '../db/schema.js';

/** What answering an inbound message needs: who wrote and what keyword they wrote (never the text). */
export type PendingInbound = {
  messageId: string;
  phoneJid?: string | undefined;
  lid?: string | undefined;
  replyJid: string;
  pushName?: string | undefined;
  keyword: {
    action: 'subscribe' | 'unsubscribe' | 'lists' | 'privacy' | 'own_data';
    list?: string | undefined;
  } | null;
};

/**
 * Records inbound messages the moment they arrive; returns the ids still to answer: new ones and
 * ones recorded before but never answered. Ids already answered (a replay) are not returned.
 */
export async function acceptInbound(db: Queryable, messages: PendingInbound[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await db
    .insert(inboundMessages)
    .values(messages.map((m) => ({ messageId: m.messageId, pending: m })))
    .onConflictDoUpdate({
      target: inboundMessages.messageId,
      set: { pending: sql`${inboundMessages.pending}` },
      setWhere: isNull(inboundMessages.handledAt),
    })
    .returning({ messageId: inboundMessages.messageId });
  return new Set(rows.map((r) => r.messageId));
}

/** True when this WhatsApp message id was already answered (live, replayed, or before a restart). */
export async function wasInboundHandled(db: Queryable, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: inboundMessages.messageId })
    .from(inboundMessages)
    .where(and(eq(inboundMessages.messageId, messageId), sql`${inboundMessages.handledAt} is not null`));
  return row !== undefined;
}

/** Records that a message id has been answered, and forgets what answering it needed. */
export async function markInboundHandled(db: Queryable, messageId: string): Promise<void> {
  await db
    .insert(inboundMessages)
    .values({ messageId, handledAt: sql`now()` })
    .onConflictDoUpdate({
      target: inboundMessages.messageId,
      set: { handledAt: sql`now()`, pending: null },
    });
}

/** Messages recorded but not answered (the process stopped in between), oldest first. */
export async function unansweredInbound(db: Queryable, limit = 500): Promise<PendingInbound[]> {
  const rows = await db
    .select({ pending: inboundMessages.pending })
    .from(inboundMessages)
    .where(isNull(inboundMessages.handledAt))
    .orderBy(asc(inboundMessages.receivedAt))
    .limit(limit);
  return rows.map((r) => r.pending as PendingInbound).filter((p): p is PendingInbound => p !== null);
}

/**
 * Keeps the table small and forgets addresses that could not be answered: a message still
 * unanswered after `giveUpDays` is dropped, and answered ids are forgotten after `keepDays`
 * (WhatsApp does not replay messages that old). Returns how many rows went.
 */
export async function pruneInbound(
  db: Queryable,
  input: { giveUpDays: number; keepDays: number },
): Promise<number> {
  const rows = await db
    .delete(inboundMessages)
    .where(
      sql`(${inboundMessages.handledAt} is null and ${inboundMessages.receivedAt} < now() - make_interval(days => ${input.giveUpDays}))
       or ${inboundMessages.handledAt} < now() - make_interval(days => ${input.keepDays})`,
    )
    .returning({ id: inboundMessages.messageId });
  return rows.length;
}

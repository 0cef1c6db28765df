import { and, asc, gt, isNull, sql } from 'drizzle-orm';
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A push name as kept: no control characters (Postgres keeps no U+0000 in text or jsonb, so one in
 * a name a citizen's client sends would fail their message, and every one recorded after it, each
 * time), at most 64 characters; undefined when nothing is left.
 */
export function cleanPushName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const clean = name.replace(CONTROL, '').trim().slice(0, 64);
  return clean === '' ? undefined : clean;
}

/**
 * Records inbound messages the moment they arrive; returns the ids still to answer: new ones and
 * ones recorded before but never answered. Ids already answered (a replay) are not returned.
 */
export async function acceptInbound(db: Queryable, messages: PendingInbound[]): Promise<Set<string>> {
  // One id twice in a statement (notify and append of one message) would fail the whole insert.
  const unique = [...new Map(messages.map((m) => [m.messageId, m])).values()];
  if (unique.length === 0) return new Set();
  const rows = await db
    .insert(inboundMessages)
    .values(unique.map((m) => ({ messageId: m.messageId, pending: m })))
    .onConflictDoUpdate({
      target: inboundMessages.messageId,
      set: { pending: sql`${inboundMessages.pending}` },
      setWhere: isNull(inboundMessages.handledAt),
    })
    .returning({ messageId: inboundMessages.messageId });
  return new Set(rows.map((r) => r.messageId));
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

/**
 * Messages recorded but not answered (the process stopped, the database blinked, the backlog was
 * full), in arrival order, a page at a time after `afterSeq`.
 */
export async function unansweredInbound(
  db: Queryable,
  page: { afterSeq?: number; limit?: number } = {},
): Promise<(PendingInbound & { seq: number })[]> {
  const rows = await db
    .select({ seq: inboundMessages.seq, pending: inboundMessages.pending })
    .from(inboundMessages)
    .where(and(isNull(inboundMessages.handledAt), gt(inboundMessages.seq, page.afterSeq ?? 0)))
    .orderBy(asc(inboundMessages.seq))
    .limit(page.limit ?? 500);
  return rows.flatMap((r) => (r.pending ? [{ ...(r.pending as PendingInbound), seq: r.seq }] : []));
}

/**
 * Keeps the table small without losing a request: answered ids are forgotten after `keepDays`
 * (WhatsApp does not replay messages that old). A message still unanswered after `giveUpDays` is
 * dropped with its addresses only when it asks for nothing but a reply (long past due by then); an
 * opt-in or opt-out is kept until it is applied. Returns how many rows went.
 */
export async function pruneInbound(
  db: Queryable,
  input: { giveUpDays: number; keepDays: number },
): Promise<number> {
  const rows = await db
    .delete(inboundMessages)
    .where(
      sql`(${inboundMessages.handledAt} is null
           and ${inboundMessages.receivedAt} < now() - make_interval(days => ${input.giveUpDays})
           and coalesce(${inboundMessages.pending} -> 'keyword' ->> 'action', '') not in ('subscribe', 'unsubscribe'))
       or ${inboundMessages.handledAt} < now() - make_interval(days => ${input.keepDays})`,
    )
    .returning({ id: inboundMessages.messageId });
  return rows.length;
}

import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { inboundMessages } from '../db/schema.js';
import { markInboundHandled, type PendingInbound } from './inbound.js';
import { joinableLists, type ListInfo } from './lists.js';
import { memberListSlugs, type OwnData, ownData } from './own-data.js';
import { queueReply, type ReplyLimits, type ReplyVerdict } from './replies.js';
import { optIn, optOut } from './subscriptions.js';

type Named = { slug: string; name: string };

/** What a citizen's message did, for the adapter to put into words. */
export type InboundOutcome =
  | { kind: 'joined' | 'already'; list: Named & { isDefault: boolean } }
  | { kind: 'left'; erased: boolean; list: Named | undefined }
  | { kind: 'not_subscribed' }
  | { kind: 'no_such_list'; slug: string }
  /** The lists one can join, and the slugs of those the sender is on. */
  | { kind: 'lists'; lists: ListInfo[]; mine: Set<string> }
  | { kind: 'privacy' }
  /** What is held about the sender's own number, and nothing about anyone else. */
  | { kind: 'own_data'; data: OwnData | undefined }
  /** Anything that is no keyword: the "this number only sends" reply. */
  | { kind: 'other' };

export type AnswerResult =
  | { handled: false }
  | { handled: true; outcome: InboundOutcome; reply: ReplyVerdict | 'none' };

/**
 * Handles one recorded message once: applies its keyword (subscribe, unsubscribe, lists), queues
 * the reply through the reply budget and marks the message handled, in one transaction. So an
 * opt-in or opt-out is applied exactly once even when the database fails in the middle or two
 * processes pick the same leftover, and it is applied whether or not a reply may go.
 */
export async function answerInbound(
  db: Queryable,
  input: {
    pending: PendingInbound;
    privacyVersion: string;
    limits: ReplyLimits;
    render(outcome: InboundOutcome): string | undefined;
  },
): Promise<AnswerResult> {
  const { pending } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ handledAt: inboundMessages.handledAt, receivedAt: inboundMessages.receivedAt })
      .from(inboundMessages)
      .where(eq(inboundMessages.messageId, pending.messageId))
      .for('update');
    if (row?.handledAt) return { handled: false };
    const outcome = await apply(tx, pending, input.privacyVersion);
    const text = input.render(outcome);
    const reply =
      text === undefined
        ? 'none'
        : await queueReply(
            tx,
            {
              sender: pending.phoneJid ?? pending.replyJid,
              jid: pending.replyJid,
              text,
              confirmsChange: outcome.kind === 'joined' || outcome.kind === 'left',
              askedAt: row?.receivedAt,
            },
            input.limits,
          );
    await markInboundHandled(tx, pending.messageId);
    return { handled: true, outcome, reply };
  });
}

async function apply(
  tx: Queryable,
  pending: PendingInbound,
  privacyVersion: string,
): Promise<InboundOutcome> {
  const { keyword } = pending;
  const address = { phoneJid: pending.phoneJid, lid: pending.lid };
  if (keyword?.action === 'subscribe') {
    const result = await optIn(tx, {
      address,
      pushName: pending.pushName,
      messageId: pending.messageId,
      privacyVersion,
      list: keyword.list,
    });
    if (result.outcome === 'no_such_list') return { kind: 'no_such_list', slug: keyword.list ?? '' };
    return { kind: result.outcome, list: { ...result.list, isDefault: !keyword.list } };
  }
  if (keyword?.action === 'unsubscribe') {
    const result = await optOut(tx, { address, list: keyword.list });
    if (result.outcome === 'no_such_list') return { kind: 'no_such_list', slug: keyword.list ?? '' };
    if (result.outcome === 'not_subscribed') return { kind: 'not_subscribed' };
    return { kind: 'left', erased: result.erased, list: result.list };
  }
  if (keyword?.action === 'lists')
    return { kind: 'lists', lists: await joinableLists(tx), mine: await memberListSlugs(tx, address) };
  if (keyword?.action === 'privacy') return { kind: 'privacy' };
  if (keyword?.action === 'own_data') return { kind: 'own_data', data: await ownData(tx, address) };
  return { kind: 'other' };
}

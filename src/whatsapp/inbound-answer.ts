import { setImmediate as nextTurn } from 'node:timers/promises';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import { answerInbound } from '../core/answer-inbound.js';
import { learnAddressPair } from '../core/identity.js';
import type { PendingInbound } from '../core/inbound.js';
import { queueReply, type ReplyLimits, type ReplyVerdict } from '../core/replies.js';
import { channelInvite } from '../core/whatsapp-channel.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { countReplyWithheld, inboundMessages, inboundRepliesSent } from '../metrics/counters.js';
import type { BridgeSocket } from './socket.js';
import { type Comune, citizenTexts, replyText } from './texts.js';

export type AnswerDeps = {
  db: Db;
  comune: Comune;
  privacyVersion: string;
  limits: ReplyLimits;
  logger: Logger;
  socket(): BridgeSocket | undefined;
  /**
   * Someone is being erased: keep Baileys from writing their keys back while it answers them.
   * Returns what takes that back, writing the keys it held.
   */
  forgetKeys?(jids: string[]): () => Promise<void>;
  /** A reply was queued: the sender should look now. */
  onReply(): void;
};

export type Caller = { replyJid: string; phoneJid?: string | undefined };

export type Task = { kind: 'message'; pending: PendingInbound } | { kind: 'call'; caller: Caller };

/**
 * Answers one task of the inbound lanes (src/whatsapp/inbound.ts): a citizen's recorded message,
 * applied and answered in one transaction through core, or a rejected call's reply. The returned
 * function is false when the task failed (the message stays unanswered in the database).
 */
export function createAnswerer(deps: AnswerDeps): (task: Task) => Promise<boolean> {
  const log = deps.logger;

  async function learnAddresses(incoming: PendingInbound): Promise<PendingInbound> {
    const mapping = deps.socket()?.signalRepository?.lidMapping;
    let { phoneJid, lid } = incoming;
    if (!phoneJid && lid) {
      const pn = await mapping?.getPNForLID(lid).catch(() => null);
      if (pn) phoneJid = jidNormalizedUser(pn);
    }
    if (!lid && phoneJid && mapping?.getLIDForPN) {
      const found = await mapping.getLIDForPN(phoneJid).catch(() => null);
      if (found) lid = jidNormalizedUser(found);
    }
    if (phoneJid && lid) await learnAddressPair(deps.db, { phoneJid, lid });
    return { ...incoming, phoneJid, lid };
  }

  /** Wakes the sender for a queued reply; counts a withheld one by why (metrics). */
  function countReply(verdict: ReplyVerdict): void {
    if (verdict === 'queued') {
      inboundRepliesSent.inc();
      deps.onReply();
    } else countReplyWithheld(verdict === 'repeat' ? 'cooldown' : 'budget');
  }

  /** Handles one task; false when it failed (the message stays unanswered in the database). */
  async function run(task: Task): Promise<boolean> {
    // On PGlite a query runs synchronously inside a chain of promises: without a turn of the event
    // loop between answers, a backlog of them held it from the socket, timers and HTTP for seconds.
    await nextTurn();
    if (task.kind === 'call') {
      const { replyJid, phoneJid } = task.caller;
      try {
        const text = citizenTexts.onlySends(deps.comune);
        const verdict = await queueReply(
          deps.db,
          { sender: phoneJid ?? replyJid, jid: replyJid, text },
          deps.limits,
        );
        countReply(verdict);
      } catch (err) {
        log.warn({ err }, 'could not answer after a rejected call');
      }
      return true;
    }
    const child = log.child({ waMessageId: task.pending.messageId });
    let unforget: (() => Promise<void>) | undefined;
    let erased = false;
    try {
      const incoming = await learnAddresses(task.pending);
      const invite = await channelInvite(deps.db);
      // The sender may send the goodbye as soon as the erasure commits, and sending writes keys
      // about the person: they are dropped from before the commit, and kept if nobody was erased.
      if (incoming.keyword?.action === 'unsubscribe')
        unforget = deps.forgetKeys?.(
          [incoming.phoneJid, incoming.lid, incoming.replyJid].filter((j): j is string => Boolean(j)),
        );
      const result = await answerInbound(deps.db, {
        pending: incoming,
        privacyVersion: deps.privacyVersion,
        limits: deps.limits,
        render: (outcome) => replyText(deps.comune, outcome, invite),
      });
      if (!result.handled) return true;
      erased = result.outcome.kind === 'left' && result.outcome.erased;
      inboundMessages.inc();
      if (result.reply !== 'none') countReply(result.reply);
      child.info(
        { keyword: incoming.keyword?.action ?? 'none', reply: result.reply },
        'inbound message handled',
      );
      return true;
    } catch (err) {
      child.error({ err }, 'inbound message not handled; it is retried from the database');
      return false;
    } finally {
      // Nobody was erased (a stranger wrote "Cancella"): the keys written meanwhile, the session
      // that encrypted the answer among them, are written after all.
      if (!erased) await unforget?.().catch((err) => child.warn({ err }, 'could not write back held keys'));
    }
  }

  return run;
}

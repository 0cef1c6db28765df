import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import { claimAutoReply } from '../core/auto-replies.js';
import { learnAddressPair } from '../core/identity.js';
import {
  acceptInbound,
  markInboundHandled,
  type PendingInbound,
  pruneInbound,
  unansweredInbound,
  wasInboundHandled,
} from '../core/inbound.js';
import { joinableLists } from '../core/lists.js';
import { memberListSlugs, ownData } from '../core/own-data.js';
import { optIn, optOut } from '../core/subscriptions.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { parseIncoming } from './incoming.js';
import { parseKeyword } from './keywords.js';
import type { BridgeSocket } from './socket.js';
import { type Comune, citizenTexts } from './texts.js';

export type InboundDeps = {
  db: Db;
  comune: Comune;
  privacyVersion: string;
  autoReplyCooldownHours: number;
  logger: Logger;
  socket(): BridgeSocket | undefined;
};

export type Inbound = {
  /**
   * Records the messages of an upsert at once (Baileys has already acknowledged them to WhatsApp)
   * and returns a function that answers those not answered before.
   */
  accept(upsert: BaileysEventMap['messages.upsert']): Promise<() => Promise<void>>;
  /** Answers what was recorded but never answered, as after a crash. */
  answerLeftovers(): Promise<void>;
  /** The same cooled-down reply as for any other message, after a rejected call. */
  afterCall(caller: { replyJid: string; phoneJid?: string | undefined }): Promise<void>;
};

/** Answers what citizens send: both live (`notify`) and replayed (`append`) messages, each id once. */
export function createInbound(deps: InboundDeps): Inbound {
  // Ids being answered now, so a message arriving as notify and append at once is answered once.
  const inProgress = new Set<string>();

  /** Fills in the address Baileys did not give, from its LID <-> phone map. */
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

  async function answer(incoming: PendingInbound): Promise<string | undefined> {
    const { keyword } = incoming;
    const address = { phoneJid: incoming.phoneJid, lid: incoming.lid };
    const { comune } = deps;
    if (keyword?.action === 'subscribe') {
      const result = await optIn(deps.db, {
        address,
        pushName: incoming.pushName,
        messageId: incoming.messageId,
        privacyVersion: deps.privacyVersion,
        list: keyword.list,
      });
      if (result.outcome === 'no_such_list') return citizenTexts.noSuchList(keyword.list ?? '');
      const list = { ...result.list, isDefault: !keyword.list };
      return result.outcome === 'joined'
        ? citizenTexts.welcome(comune, list)
        : citizenTexts.alreadySubscribed(comune, list);
    }
    if (keyword?.action === 'unsubscribe') {
      const result = await optOut(deps.db, { address, list: keyword.list });
      if (result.outcome === 'no_such_list') return citizenTexts.noSuchList(keyword.list ?? '');
      if (result.outcome === 'not_subscribed') return citizenTexts.notSubscribed(comune);
      return result.erased || !result.list
        ? citizenTexts.goodbye(comune)
        : citizenTexts.leftList(comune, result.list);
    }
    if (keyword?.action === 'lists')
      return citizenTexts.lists(
        comune,
        await joinableLists(deps.db),
        await memberListSlugs(deps.db, address),
      );
    if (keyword?.action === 'privacy') return citizenTexts.privacy(comune);
    if (keyword?.action === 'own_data') return citizenTexts.ownData(comune, await ownData(deps.db, address));
    return (await claimAutoReply(
      deps.db,
      incoming.phoneJid ?? incoming.replyJid,
      deps.autoReplyCooldownHours,
    ))
      ? citizenTexts.onlySends(comune)
      : undefined;
  }

  async function handleOne(pending: PendingInbound, type: string): Promise<void> {
    if (inProgress.has(pending.messageId)) return;
    const log = deps.logger.child({ waMessageId: pending.messageId, upsert: type });
    inProgress.add(pending.messageId);
    try {
      if (await wasInboundHandled(deps.db, pending.messageId)) return;
      const incoming = await learnAddresses(pending);
      const reply = await answer(incoming);
      if (reply !== undefined) {
        const socket = deps.socket();
        if (!socket) throw new Error('no WhatsApp socket to answer on');
        await socket.sendMessage(incoming.replyJid, { text: reply });
      }
      // Marked after the answer: a crash in between answers twice rather than never.
      await markInboundHandled(deps.db, incoming.messageId);
      log.info(
        { keyword: incoming.keyword?.action ?? 'none', replied: reply !== undefined },
        'inbound message handled',
      );
    } catch (err) {
      log.error({ err }, 'inbound message not handled; it is answered on the next connection');
    } finally {
      inProgress.delete(pending.messageId);
    }
  }

  function toPending(message: WAMessage): PendingInbound | undefined {
    const parsed = parseIncoming(message);
    if (!parsed) return undefined;
    const { text, ...rest } = parsed;
    return { ...rest, keyword: parseKeyword(text) };
  }

  return {
    async accept({ messages, type }) {
      const pending = messages.map(toPending).filter((p): p is PendingInbound => p !== undefined);
      const open = await acceptInbound(deps.db, pending);
      return async () => {
        for (const item of pending) if (open.has(item.messageId)) await handleOne(item, type);
      };
    },
    async answerLeftovers() {
      const pruned = await pruneInbound(deps.db, { giveUpDays: 7, keepDays: 60 });
      if (pruned > 0) deps.logger.info({ pruned }, 'old inbound message ids forgotten');
      const leftovers = await unansweredInbound(deps.db);
      if (leftovers.length > 0)
        deps.logger.warn({ count: leftovers.length }, 'answering messages left unanswered');
      for (const item of leftovers) await handleOne(item, 'leftover');
    },
    async afterCall({ replyJid, phoneJid }) {
      try {
        if (!(await claimAutoReply(deps.db, phoneJid ?? replyJid, deps.autoReplyCooldownHours))) return;
        await deps.socket()?.sendMessage(replyJid, { text: citizenTexts.onlySends(deps.comune) });
      } catch (err) {
        deps.logger.warn({ err }, 'could not answer after a rejected call');
      }
    },
  };
}

import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import { claimAutoReply } from '../core/auto-replies.js';
import { learnAddressPair } from '../core/identity.js';
import { markInboundHandled, wasInboundHandled } from '../core/inbound.js';
import { joinableLists } from '../core/lists.js';
import { optIn, optOut } from '../core/subscriptions.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type Incoming, parseIncoming } from './incoming.js';
import { type Keyword, parseKeyword } from './keywords.js';
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
  onUpsert(upsert: BaileysEventMap['messages.upsert']): Promise<void>;
  /** The same cooled-down reply as for any other message, after a rejected call. */
  afterCall(caller: { replyJid: string; phoneJid?: string | undefined }): Promise<void>;
};

/** Answers what citizens send: both live (`notify`) and replayed (`append`) messages, each id once. */
export function createInbound(deps: InboundDeps): Inbound {
  // Ids being handled now, so a message arriving as notify and append at once is answered once.
  const inProgress = new Set<string>();

  /** Fills in the address Baileys did not give, from its LID <-> phone map. */
  async function learnAddresses(incoming: Incoming): Promise<Incoming> {
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

  async function answer(incoming: Incoming, keyword: Keyword | null): Promise<string | undefined> {
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
    if (keyword?.action === 'lists') return citizenTexts.lists(comune, await joinableLists(deps.db));
    return (await claimAutoReply(
      deps.db,
      incoming.phoneJid ?? incoming.replyJid,
      deps.autoReplyCooldownHours,
    ))
      ? citizenTexts.onlySends(comune)
      : undefined;
  }

  async function handleOne(message: WAMessage, type: string): Promise<void> {
    const parsed = parseIncoming(message);
    if (!parsed || inProgress.has(parsed.messageId)) return;
    const log = deps.logger.child({ waMessageId: parsed.messageId, upsert: type });
    inProgress.add(parsed.messageId);
    try {
      if (await wasInboundHandled(deps.db, parsed.messageId)) return;
      const incoming = await learnAddresses(parsed);
      const keyword = parseKeyword(incoming.text);
      const reply = await answer(incoming, keyword);
      if (reply !== undefined) {
        const socket = deps.socket();
        if (!socket) throw new Error('no WhatsApp socket to answer on');
        await socket.sendMessage(incoming.replyJid, { text: reply });
      }
      // Marked after the answer: a crash in between answers twice rather than never.
      await markInboundHandled(deps.db, incoming.messageId);
      log.info(
        { keyword: keyword?.action ?? 'none', replied: reply !== undefined },
        'inbound message handled',
      );
    } catch (err) {
      log.error({ err }, 'inbound message not handled; it will be retried if WhatsApp replays it');
    } finally {
      inProgress.delete(parsed.messageId);
    }
  }

  return {
    async onUpsert({ messages, type }) {
      for (const message of messages) await handleOne(message, type);
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

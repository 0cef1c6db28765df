import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import { markInboundHandled, wasInboundHandled } from '../core/inbound.js';
import { optIn, optOut } from '../core/subscriptions.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type Incoming, parseIncoming } from './incoming.js';
import { parseKeyword } from './keywords.js';
import type { BridgeSocket } from './socket.js';
import { type Comune, citizenTexts } from './texts.js';

export type InboundDeps = {
  db: Db;
  comune: Comune;
  privacyVersion: string;
  logger: Logger;
  socket(): BridgeSocket | undefined;
};

/** Answers what citizens send: both live (`notify`) and replayed (`append`) messages, each id once. */
export function createInboundHandler(deps: InboundDeps) {
  // Ids being handled now, so a message arriving as notify and append at once is answered once.
  const inProgress = new Set<string>();

  async function learnPhoneJid(incoming: Incoming): Promise<Incoming> {
    if (incoming.phoneJid || !incoming.lid) return incoming;
    const pn = await deps
      .socket()
      ?.signalRepository?.lidMapping.getPNForLID(incoming.lid)
      .catch(() => null);
    return pn ? { ...incoming, phoneJid: jidNormalizedUser(pn) } : incoming;
  }

  async function answer(incoming: Incoming): Promise<string> {
    const keyword = parseKeyword(incoming.text);
    const address = { phoneJid: incoming.phoneJid, lid: incoming.lid };
    if (keyword?.action === 'subscribe') {
      const { alreadySubscribed } = await optIn(deps.db, {
        address,
        pushName: incoming.pushName,
        messageId: incoming.messageId,
        privacyVersion: deps.privacyVersion,
      });
      return alreadySubscribed
        ? citizenTexts.alreadySubscribed(deps.comune)
        : citizenTexts.welcome(deps.comune);
    }
    if (keyword?.action === 'unsubscribe') {
      const { wasSubscribed } = await optOut(deps.db, { address });
      return wasSubscribed ? citizenTexts.goodbye(deps.comune) : citizenTexts.notSubscribed(deps.comune);
    }
    return citizenTexts.onlySends(deps.comune);
  }

  async function handleOne(message: WAMessage, type: string): Promise<void> {
    const parsed = parseIncoming(message);
    if (!parsed || inProgress.has(parsed.messageId)) return;
    const log = deps.logger.child({ waMessageId: parsed.messageId, upsert: type });
    inProgress.add(parsed.messageId);
    try {
      if (await wasInboundHandled(deps.db, parsed.messageId)) return;
      const incoming = await learnPhoneJid(parsed);
      const reply = await answer(incoming);
      const socket = deps.socket();
      if (!socket) throw new Error('no WhatsApp socket to answer on');
      await socket.sendMessage(incoming.replyJid, { text: reply });
      // Marked after the answer: a crash in between answers twice rather than never.
      await markInboundHandled(deps.db, incoming.messageId);
      log.info('inbound message answered');
    } catch (err) {
      log.error({ err }, 'inbound message not handled; it will be retried when WhatsApp replays it');
    } finally {
      inProgress.delete(parsed.messageId);
    }
  }

  return async function onUpsert({ messages, type }: BaileysEventMap['messages.upsert']): Promise<void> {
    for (const message of messages) await handleOne(message, type);
  };
}

import {
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { isIgnoredJid } from './socket.js';

export type Incoming = {
  messageId: string;
  phoneJid: string | undefined;
  lid: string | undefined;
  /** Where to answer: the jid the message came from. */
  replyJid: string;
  pushName: string | undefined;
  text: string;
};

/** Phone jid and LID of a 1:1 sender, from the primary jid and its alternate (either may lead). */
export function senderAddresses(primary: string, alternate: string | undefined) {
  const jids = [primary, alternate]
    .filter((jid): jid is string => Boolean(jid))
    .map((jid) => jidNormalizedUser(jid));
  return { phoneJid: jids.find((jid) => isPnUser(jid)), lid: jids.find((jid) => isLidUser(jid)) };
}

/**
 * Reads what a citizen sent: null for what the bridge skips (own messages, groups, status,
 * broadcast and channel jids, stubs, protocol, reactions, poll updates).
 */
export function parseIncoming(message: WAMessage): Incoming | null {
  const { key } = message;
  if (!key.id || !key.remoteJid || key.fromMe) return null;
  if (isIgnoredJid(key.remoteJid)) return null;
  // A decryption failure arrives as a stub, followed by the real message under the same id.
  if (message.messageStubType) return null;
  const content = normalizeMessageContent(message.message);
  if (!content || content.protocolMessage || content.reactionMessage || content.pollUpdateMessage)
    return null;
  const { phoneJid, lid } = senderAddresses(key.remoteJid, key.remoteJidAlt);
  if (!phoneJid && !lid) return null;
  const text =
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    content.documentWithCaptionMessage?.message?.documentMessage?.caption ??
    '';
  return {
    messageId: key.id,
    phoneJid,
    lid,
    replyJid: jidNormalizedUser(key.remoteJid),
    pushName: message.pushName ?? undefined,
    text,
  };
}

import {
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { cleanPushName } from '../core/inbound.js';
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
  // The sender's client picks the id: one Postgres cannot keep (U+0000) is no real message.
  if (!key.id || key.id.includes('\u0000') || !key.remoteJid || key.fromMe) return null;
  if (isIgnoredJid(key.remoteJid)) return null;
  // A decryption failure arrives as a stub, followed by the real message under the same id.
  if (message.messageStubType) return null;
  const read = readableContent(message.message);
  if (!read) return null;
  const { content, editOf } = read;
  const { phoneJid, lid } = senderAddresses(key.remoteJid, key.remoteJidAlt);
  if (!phoneJid && !lid) return null;
  const text =
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    '';
  return {
    // An edit is the message it edits, not a new one: answered once, and not at all when the
    // original was answered already (or each edit would be a free reply).
    messageId: editOf ?? key.id,
    phoneJid,
    lid,
    replyJid: jidNormalizedUser(key.remoteJid),
    pushName: cleanPushName(message.pushName),
    text,
  };
}

/**
 * The message a person wrote, unwrapped from ephemeral, view-once, caption and edit wrappers; an
 * edit is read as its new text, with the id of the message it edits. Undefined for what carries no
 * words of theirs: other protocol messages (deletes, key shares), reactions and poll votes.
 */
function readableContent(
  message: proto.IMessage | null | undefined,
): { content: proto.IMessage; editOf?: string } | undefined {
  const content = normalizeMessageContent(message);
  if (!content || content.reactionMessage || content.pollUpdateMessage) return undefined;
  const protocol = content.protocolMessage;
  if (!protocol) return { content };
  if (protocol.type !== proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) return undefined;
  const edited = normalizeMessageContent(protocol.editedMessage);
  if (!edited) return undefined;
  return { content: edited, editOf: protocol.key?.id ?? undefined };
}

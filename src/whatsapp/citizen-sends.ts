import type { ReplyOutbox } from '../core/replies.js';
import { markRevoked, pendingRevocations } from '../core/revoke.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { BridgeSocket } from './socket.js';

/**
 * Sends owed replies to citizens, oldest first, each once; stops at the first failure (the reply
 * stays owed and is tried again shortly, until it is no longer due) or when `isStopped` says so.
 */
export async function sendOwedReplies(
  socket: BridgeSocket,
  replies: ReplyOutbox,
  limit: number,
  options: { isStopped(): boolean; log: Logger },
): Promise<{ tried: number; failed: boolean }> {
  const owed = await replies.owed(limit);
  let tried = 0;
  for (const reply of owed) {
    if (options.isStopped()) break;
    tried += 1;
    try {
      await socket.sendMessage(reply.jid, { text: reply.text });
    } catch (err) {
      options.log.warn({ err, replyId: reply.id }, 'reply to a citizen not sent');
      return { tried, failed: true };
    }
    await replies.sent(reply.id);
  }
  return { tried, failed: false };
}

/** Deletes, for everyone, up to `limit` sent messages of withdrawn bulletins; returns how many. */
export async function revokePending(db: Db, socket: BridgeSocket, limit: number): Promise<number> {
  const revocations = await pendingRevocations(db, limit);
  for (const revocation of revocations) {
    await socket.sendMessage(revocation.jid, {
      delete: { remoteJid: revocation.jid, fromMe: true, id: revocation.messageId },
    });
    await markRevoked(db, revocation.deliveryId);
  }
  return revocations.length;
}

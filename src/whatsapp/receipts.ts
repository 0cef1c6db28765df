import type { WAMessageUpdate } from '@whiskeysockets/baileys';
import { recordReceipts } from '../core/receipts.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { peerAddresses } from './peer.js';
import type { BridgeSocket } from './socket.js';

/**
 * Turns `messages.update` statuses of our own messages (server ack, delivered, read) into
 * per-bulletin counts. A receipt names the chat it is for; core counts it only when that is the
 * delivery's recipient, under either address (receipts may come back under the LID even when we
 * sent to the phone jid).
 */
export function createReceiptHandler(deps: {
  db: Db;
  retentionHours: number;
  logger: Logger;
  socket(): BridgeSocket | undefined;
}) {
  return async (updates: WAMessageUpdate[]): Promise<void> => {
    const ours = updates.filter((u) => u.key.fromMe && u.key.id && typeof u.update.status === 'number');
    if (ours.length === 0) return;
    const receipts = [];
    for (const u of ours) {
      const from = await peerAddresses(deps.socket(), u.key.remoteJid);
      receipts.push({ messageId: u.key.id!, status: u.update.status as number, from });
    }
    const rose = await recordReceipts(deps.db, { receipts, retentionHours: deps.retentionHours });
    deps.logger.debug({ received: receipts.length, rose }, 'receipts recorded');
  };
}

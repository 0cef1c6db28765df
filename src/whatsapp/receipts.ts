import type { WAMessageUpdate } from '@whiskeysockets/baileys';
import { recordReceipts } from '../core/receipts.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

/**
 * Turns `messages.update` statuses of our own messages (server ack, delivered, read) into
 * per-bulletin counts. Matched by message id only: receipts may come back under the LID even when
 * we sent to the phone jid.
 */
export function createReceiptHandler(deps: { db: Db; retentionHours: number; logger: Logger }) {
  return async (updates: WAMessageUpdate[]): Promise<void> => {
    const receipts = updates
      .filter((u) => u.key.fromMe && u.key.id && typeof u.update.status === 'number')
      .map((u) => ({ messageId: u.key.id!, status: u.update.status as number }));
    if (receipts.length === 0) return;
    const rose = await recordReceipts(deps.db, { receipts, retentionHours: deps.retentionHours });
    deps.logger.debug({ received: receipts.length, rose }, 'receipts recorded');
  };
}

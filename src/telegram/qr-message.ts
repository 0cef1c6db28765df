import { type Api, InputFile } from 'grammy';
import { qrMessage, setQrMessageId } from '../core/bridge-state.js';
import type { Db, Listener } from '../db/client.js';
import type { Logger } from '../logger.js';
import { watchDatabase } from './db-watcher.js';
import type { StaffChat } from './staff-chat.js';
import { qrCaption } from './texts.js';

export const LINK_CHANNEL = 'banditore_link';

export type QrMessage = { stop(): Promise<void> };

async function qrPhoto(qr: string): Promise<InputFile> {
  // Loaded when a QR is shown, not at start-up (part of reaching /healthz in 3 s).
  const { default: QRCode } = await import('qrcode');
  return new InputFile(await QRCode.toBuffer(qr, { type: 'png', width: 360, margin: 2 }), 'qr.png');
}

/**
 * While WhatsApp is unlinked, shows the bridge's linking QR in the staff group as one image,
 * edited as the QR rotates, and deletes it once linked. Woken by the database when the QR or the
 * link changes, with a slow poll as a safety net.
 */
export async function startQrMessage(options: {
  db: Db;
  listen: Listener;
  api: Pick<Api, 'sendPhoto' | 'editMessageMedia' | 'deleteMessage'>;
  staffChat: StaffChat;
  logger: Logger;
  pollIntervalMs?: number;
}): Promise<QrMessage> {
  const { db, api, staffChat, logger } = options;
  let shown: string | undefined;

  async function post(qr: string) {
    const sent = await api.sendPhoto(staffChat.id, await qrPhoto(qr), { caption: qrCaption() });
    await setQrMessageId(db, sent.message_id);
  }

  /** Shows the QR while there is one; true while it is shown (the link is being made). */
  async function sync(): Promise<boolean> {
    const { qr, messageId } = await qrMessage(db);
    if (qr === null) {
      shown = undefined;
      if (messageId === null) return false;
      await api.deleteMessage(staffChat.id, messageId).catch((err: unknown) => {
        logger.warn({ err }, 'could not delete the QR message');
      });
      await setQrMessageId(db, null);
      return false;
    }
    if (qr === shown) return true;
    if (messageId === null) await post(qr);
    else {
      try {
        await api.editMessageMedia(staffChat.id, messageId, {
          type: 'photo',
          media: await qrPhoto(qr),
          caption: qrCaption(),
        });
      } catch (err) {
        // Deleted by someone, or too old to edit: post a new one.
        logger.warn({ err }, 'could not replace the QR image; posting it again');
        await post(qr);
      }
    }
    shown = qr;
    return true;
  }

  const watcher = await watchDatabase({
    listen: options.listen,
    channels: [LINK_CHANNEL],
    pollIntervalMs: options.pollIntervalMs ?? 15_000,
    work: sync,
    onError: (err) => logger.error({ err }, 'QR message not updated'),
  });
  return { stop: () => watcher.stop() };
}

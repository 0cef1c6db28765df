import { type AnyMediaMessageContent, prepareWAMessageMedia, type proto } from '@whiskeysockets/baileys';
import { parseBody } from '../core/body.js';
import {
  type BulletinContent,
  bulletinContent,
  type MediaFile,
  mediaFile,
  sendingBulletinContents,
} from '../core/bulletin-content.js';
import { bulletinForRetry } from '../core/deliveries.js';
import { appendedLink } from '../core/public-link.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';
import { whatsappMessageText } from './markup.js';
import type { BridgeSocket } from './socket.js';

/** How many bulletins' prepared messages stay in memory (a bulletin sends for hours). */
const KEEP = 8;

export type Outbound = {
  /** The message every recipient of this bulletin gets; media is uploaded on first use only. */
  messageFor(bulletinId: number): Promise<proto.IMessage>;
  /**
   * Starts preparing the message of every bulletin now sending that is not prepared yet, in the
   * background: a sender waking from idle calls it beside its first claim. Never rejects; a failed
   * preparation is tried again by messageFor.
   */
  prepareSending(): void;
  /**
   * What we sent under this message id, so its recipient's retry request can be answered; nothing
   * for anyone else, nor for a bulletin staff withdrew or stopped.
   */
  messageForRetry(messageId: string, requester: string[]): Promise<proto.IMessage | undefined>;
};

function mediaContent(row: MediaFile, caption: string): AnyMediaMessageContent {
  const common = { mimetype: row.mimeType, ...(caption === '' ? {} : { caption }) };
  if (row.kind === 'image') return { image: row.data, ...common };
  if (row.kind === 'video') return { video: row.data, ...common };
  return { document: row.data, fileName: row.fileName ?? 'documento', ...common };
}

/**
 * Builds each bulletin's WhatsApp message once: the text (no link preview is generated, so no
 * page is fetched once per recipient), or the media uploaded once with `prepareWAMessageMedia`
 * and the caption; every recipient is then sent the same prepared message.
 */
export function createOutbound(deps: {
  db: Queryable;
  socket(): BridgeSocket | undefined;
  logger: Logger;
  /** PUBLIC_BASE_URL and BULLETIN_LINK: the public page's link ends each message when both are set. */
  publicLink?: { publicBaseUrl: string | undefined; bulletinLink: boolean };
}): Outbound {
  const prepared = new Map<number, Promise<proto.IMessage>>();

  async function prepare(bulletin: BulletinContent): Promise<proto.IMessage> {
    const text = whatsappMessageText({
      body: parseBody(bulletin.body),
      category: bulletin.category,
      link: deps.publicLink ? appendedLink(deps.publicLink, bulletin.id) : null,
    });
    if (bulletin.mediaId === null) return { extendedTextMessage: { text } };
    const row = await mediaFile(deps.db, bulletin.mediaId);
    if (!row) throw new Error(`media ${bulletin.mediaId} not found`);
    const socket = deps.socket();
    if (!socket) throw new Error('WhatsApp is not connected: media cannot be uploaded');
    deps.logger.info(
      { bulletinId: bulletin.id, kind: row.kind, size: row.size },
      'uploading bulletin media once',
    );
    return prepareWAMessageMedia(mediaContent(row, text), {
      upload: socket.waUploadToServer,
      logger: deps.logger.child({ module: 'media' }, { level: 'warn' }),
    });
  }

  /** Holds the message being prepared; a failed preparation (upload error) is tried again later. */
  function hold(bulletinId: number, message: Promise<proto.IMessage>): Promise<proto.IMessage> {
    prepared.set(bulletinId, message);
    message.catch(() => prepared.delete(bulletinId));
    while (prepared.size > KEEP) prepared.delete(prepared.keys().next().value!);
    return message;
  }

  // The read of the bulletins now sending, while under way: messageFor waits for it rather than
  // reading the same bulletin a second time.
  let readingAhead: Promise<void> | undefined;

  async function messageFor(bulletinId: number): Promise<proto.IMessage> {
    if (!prepared.has(bulletinId) && readingAhead) await readingAhead;
    return (
      prepared.get(bulletinId) ??
      hold(
        bulletinId,
        bulletinContent(deps.db, bulletinId).then((bulletin) => {
          if (!bulletin) throw new Error(`bulletin ${bulletinId} not found`);
          return prepare(bulletin);
        }),
      )
    );
  }

  function prepareSending(): void {
    if (readingAhead) return;
    const reading = sendingBulletinContents(deps.db, [...prepared.keys()]).then(
      (rows) => {
        for (const bulletin of rows.slice(0, KEEP))
          if (!prepared.has(bulletin.id)) hold(bulletin.id, prepare(bulletin)).catch(() => {});
      },
      (err: unknown) => deps.logger.warn({ err }, 'bulletins now sending not read ahead'),
    );
    readingAhead = reading.finally(() => {
      readingAhead = undefined;
    });
  }

  return {
    messageFor,
    prepareSending,
    async messageForRetry(messageId, requester) {
      const bulletinId = await bulletinForRetry(deps.db, { messageId, requester });
      return bulletinId === undefined ? undefined : messageFor(bulletinId);
    },
  };
}

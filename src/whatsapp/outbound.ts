import { type AnyMediaMessageContent, prepareWAMessageMedia, type proto } from '@whiskeysockets/baileys';
import { eq } from 'drizzle-orm';
import { parseBody } from '../core/body.js';
import { bulletinForRetry } from '../core/deliveries.js';
import { appendedLink } from '../core/public-link.js';
import type { Queryable } from '../db/client.js';
import { bulletins, media } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { whatsappMessageText } from './markup.js';
import type { BridgeSocket } from './socket.js';

/** How many bulletins' prepared messages stay in memory (a bulletin sends for hours). */
const KEEP = 8;

export type Outbound = {
  /** The message every recipient of this bulletin gets; media is uploaded on first use only. */
  messageFor(bulletinId: number): Promise<proto.IMessage>;
  /**
   * What we sent under this message id, so its recipient's retry request can be answered; nothing
   * for anyone else, nor for a bulletin staff withdrew or stopped.
   */
  messageForRetry(messageId: string, requester: string[]): Promise<proto.IMessage | undefined>;
};

function mediaContent(row: typeof media.$inferSelect, caption: string): AnyMediaMessageContent {
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

  async function prepare(bulletinId: number): Promise<proto.IMessage> {
    const [bulletin] = await deps.db
      .select({ body: bulletins.body, category: bulletins.category, mediaId: bulletins.mediaId })
      .from(bulletins)
      .where(eq(bulletins.id, bulletinId));
    if (!bulletin) throw new Error(`bulletin ${bulletinId} not found`);
    const text = whatsappMessageText({
      body: parseBody(bulletin.body),
      category: bulletin.category,
      link: deps.publicLink ? appendedLink(deps.publicLink, bulletinId) : null,
    });
    if (bulletin.mediaId === null) return { extendedTextMessage: { text } };
    const [row] = await deps.db.select().from(media).where(eq(media.id, bulletin.mediaId));
    if (!row) throw new Error(`media ${bulletin.mediaId} not found`);
    const socket = deps.socket();
    if (!socket) throw new Error('WhatsApp is not connected: media cannot be uploaded');
    deps.logger.info({ bulletinId, kind: row.kind, size: row.size }, 'uploading bulletin media once');
    return prepareWAMessageMedia(mediaContent(row, text), {
      upload: socket.waUploadToServer,
      logger: deps.logger.child({ module: 'media' }, { level: 'warn' }),
    });
  }

  function messageFor(bulletinId: number): Promise<proto.IMessage> {
    let message = prepared.get(bulletinId);
    if (!message) {
      message = prepare(bulletinId);
      prepared.set(bulletinId, message);
      // A failed preparation (upload error) is tried again on the next delivery.
      message.catch(() => prepared.delete(bulletinId));
      while (prepared.size > KEEP) prepared.delete(prepared.keys().next().value!);
    }
    return message;
  }

  return {
    messageFor,
    async messageForRetry(messageId, requester) {
      const bulletinId = await bulletinForRetry(deps.db, { messageId, requester });
      return bulletinId === undefined ? undefined : messageFor(bulletinId);
    },
  };
}

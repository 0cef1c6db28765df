import {
  type CloudBulletin,
  cloudBulletin,
  cloudBulletinMediaBytes,
  rememberCloudMedia,
  uploadedCloudMedia,
} from '../core/cloud-media.js';
import type { ClaimedDelivery } from '../core/outbox.js';
import { appendedLink, bulletinPageUrl } from '../core/public-link.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';
import { whatsappMessageText } from '../whatsapp/markup.js';
import type { GraphApi } from './graph-api.js';
import { mediaMessage, type Template, templateMessage, templateParameter, textMessage } from './messages.js';

/** How many bulletins stay prepared in memory (one sends for minutes, a few may overlap). */
const KEEP = 8;

export type Outgoing = {
  /** WA_CLOUD_TEMPLATE is set: someone outside the window can still be reached. */
  hasTemplate: boolean;
  /**
   * The message body for one delivery: free-form inside the window, the template outside it;
   * undefined when it is outside and no template is configured.
   */
  bodyFor(
    delivery: Pick<ClaimedDelivery, 'id' | 'bulletinId'>,
    to: string,
    inWindow: boolean,
  ): Promise<{ body: Record<string, unknown>; template: boolean } | undefined>;
};

/**
 * Builds each bulletin's messages once: its text, the template's parameter (pointing to the
 * archive page when the text is too long or carries a file), and its media uploaded once to
 * /{phone-number-id}/media, on the first free-form send that needs it, and kept in the database.
 */
export function createOutgoing(deps: {
  db: Queryable;
  api: GraphApi;
  template: Template | undefined;
  publicBaseUrl: string | undefined;
  /** BULLETIN_LINK: the archive page's link ends each free-form message, as with Baileys. */
  bulletinLink: boolean;
  logger: Logger;
}): Outgoing {
  const bulletins = new Map<number, Promise<CloudBulletin>>();
  const uploads = new Map<number, Promise<string>>();

  function cached<T>(map: Map<number, Promise<T>>, id: number, make: () => Promise<T>): Promise<T> {
    let value = map.get(id);
    if (!value) {
      value = make();
      map.set(id, value);
      // A failure (the database, an upload) is tried again on the next delivery.
      value.catch(() => map.delete(id));
      while (map.size > KEEP) map.delete(map.keys().next().value!);
    }
    return value;
  }

  async function upload(bulletinId: number, bulletin: CloudBulletin): Promise<string> {
    const known = await uploadedCloudMedia(deps.db, bulletinId);
    if (known) return known;
    const media = bulletin.media!;
    deps.logger.info({ bulletinId, kind: media.kind }, 'uploading bulletin media once');
    const mediaId = await deps.api.uploadMedia({
      data: await cloudBulletinMediaBytes(deps.db, bulletinId),
      mimeType: media.mimeType,
      fileName: media.fileName ?? `bollettino-${bulletinId}`,
    });
    return rememberCloudMedia(deps.db, { bulletinId, mediaId });
  }

  return {
    hasTemplate: deps.template !== undefined,
    async bodyFor(delivery, to, inWindow) {
      const bulletin = await cached(bulletins, delivery.bulletinId, () =>
        cloudBulletin(deps.db, delivery.bulletinId),
      );
      const link = appendedLink(deps, delivery.bulletinId);
      const text = whatsappMessageText({ body: bulletin.body, category: bulletin.category, link });
      if (inWindow && bulletin.media) {
        const id = await cached(uploads, delivery.bulletinId, () => upload(delivery.bulletinId, bulletin));
        return {
          body: mediaMessage(
            to,
            { id, kind: bulletin.media.kind, fileName: bulletin.media.fileName },
            text,
            delivery.id,
          ),
          template: false,
        };
      }
      if (inWindow) return { body: textMessage(to, text, delivery.id), template: false };
      if (!deps.template) return undefined;
      const plain = whatsappMessageText({ body: bulletin.body, category: bulletin.category });
      const { parameter } = templateParameter(plain, {
        hasMedia: bulletin.media !== null,
        pageUrl: deps.publicBaseUrl && bulletinPageUrl(deps.publicBaseUrl, delivery.bulletinId),
      });
      return { body: templateMessage(to, deps.template, parameter, delivery.id), template: true };
    },
  };
}

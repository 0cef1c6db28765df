import type { MessageEntity } from 'grammy/types';
import type { BulletinBody, OutgoingBulletin } from '../core/outlets.js';
import { toWhatsappMarkup } from '../telegram/format.js';

/**
 * TO BE REPLACED by the WhatsApp renderer of the neutral body (branch i12-body, src/whatsapp/):
 * a tiny adapter over the Telegram-entities renderer the 1:1 sends already use, whose entities
 * the neutral body shares.
 */
export function bodyAsWhatsappMarkup(body: BulletinBody): string {
  return toWhatsappMarkup(body.text, body.entities as MessageEntity[]);
}

/** A Channel post's text: the body as WhatsApp markup and, when set, the archive link. */
export function channelPostText(bulletin: OutgoingBulletin): string {
  const text = bodyAsWhatsappMarkup(bulletin.body);
  return bulletin.link ? `${text}\n\n${bulletin.link}` : text;
}

import { createHash } from 'node:crypto';

/**
 * The WhatsApp message id of one delivery, derived from (bulletin, subscriber) in Baileys' own
 * shape ('3EB0' + 36 upper-case hex, as generateMessageID makes), so a re-send after a crash is
 * the same message to WhatsApp, not a second one. Mirrored in SQL by deliveryMessageIdSql.
 */
export function deliveryMessageId(bulletinId: number, subscriberId: number): string {
  const hex = createHash('sha256').update(`banditore:${bulletinId}:${subscriberId}`).digest('hex');
  return `3EB0${hex.slice(0, 36).toUpperCase()}`;
}

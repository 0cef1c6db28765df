import { createHash } from 'node:crypto';
import { whatsappText } from './compose.js';

/**
 * SHA-256 of what citizens would receive: the text as WhatsApp shows it (category header
 * included) and the media's own SHA-256. An approval is bound to this hash; the register keeps it.
 */
export function versionHash(input: {
  text: string;
  category: string | null;
  mediaSha256: string | null;
}): string {
  return createHash('sha256')
    .update(whatsappText(input))
    .update('\u0000')
    .update(input.mediaSha256 ?? '')
    .digest('hex');
}

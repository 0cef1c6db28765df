import { createHash } from 'node:crypto';
import { whatsappText } from './compose.js';

/**
 * SHA-256 of what citizens would receive and who: the text as WhatsApp shows it (category header
 * included), the media's own SHA-256 and the slugs of the target lists. An approval is bound to
 * this hash; the register keeps it.
 */
export function versionHash(input: {
  text: string;
  category: string | null;
  mediaSha256: string | null;
  lists: readonly string[];
}): string {
  return createHash('sha256')
    .update(whatsappText(input))
    .update('\u0000')
    .update(input.mediaSha256 ?? '')
    .update('\u0000')
    .update([...input.lists].sort().join(','))
    .digest('hex');
}

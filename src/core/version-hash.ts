import { createHash } from 'node:crypto';
import { whatsappText } from './compose.js';

/**
 * SHA-256 of what citizens would receive, who and where: the text as WhatsApp shows it (category
 * header included), the media's own SHA-256, the slugs of the target lists and the outlets. An
 * approval is bound to this hash; the register keeps it. The outlets enter the hash only when they
 * are not WhatsApp 1:1 alone, the one outlet of every version made before outlets existed: their
 * stored hashes stay what they were.
 */
export function versionHash(input: {
  text: string;
  category: string | null;
  mediaSha256: string | null;
  lists: readonly string[];
  outlets?: readonly string[];
}): string {
  const hash = createHash('sha256')
    .update(whatsappText(input))
    .update('\u0000')
    .update(input.mediaSha256 ?? '')
    .update('\u0000')
    .update([...input.lists].sort().join(','));
  const outlets = [...(input.outlets ?? ['whatsapp'])].sort().join(',');
  if (outlets !== 'whatsapp') hash.update('\u0000outlets:').update(outlets);
  return hash.digest('hex');
}

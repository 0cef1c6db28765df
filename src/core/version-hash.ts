import { createHash } from 'node:crypto';
import { normaliseEntities } from './body.js';
import { whatsappText } from './compose.js';
import type { BulletinBody } from './outlets.js';

/**
 * How a version's hash was made (bulletin_versions.hash_scheme). A stored hash is never computed
 * again under another scheme: approvals, the register and message ids were bound to it.
 * - `whatsapp_text`: versions made before the neutral body (migration 0016), see versionHash.
 * - `body`: every version made since, see bodyVersionHash.
 */
export type HashScheme = 'whatsapp_text' | 'body';
export const CURRENT_HASH_SCHEME: HashScheme = 'body';

/**
 * Legacy (`whatsapp_text`): SHA-256 of what citizens would receive and who: the text as WhatsApp
 * shows it (category header included), the media's own SHA-256 and the slugs of the target lists.
 * Kept unchanged so the hashes of versions made before the neutral body still check.
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

/**
 * Current (`body`): SHA-256 of what staff wrote, who receives it and where, in no outlet's
 * rendering: the body's text and its normalised entities, the category, the media's own SHA-256,
 * the slugs of the target lists and the outlets. An approval is bound to this hash; the register
 * keeps it. The outlets enter it only when they are not WhatsApp 1:1 alone (the one outlet of
 * every version made before outlets, migration 0017), so those stored hashes stay what they were.
 */
export function bodyVersionHash(input: {
  body: BulletinBody;
  category: string | null;
  mediaSha256: string | null;
  lists: readonly string[];
  outlets?: readonly string[] | null;
}): string {
  const entities = normaliseEntities(input.body.text, input.body.entities).map((e) => [
    e.type,
    e.offset,
    e.length,
    e.url ?? null,
    e.language ?? null,
  ]);
  const outlets = [...(input.outlets ?? ['whatsapp'])].sort();
  const canonical = JSON.stringify([
    'body/1',
    input.body.text,
    entities,
    input.category,
    input.mediaSha256,
    [...input.lists].sort(),
    ...(outlets.join(',') === 'whatsapp' ? [] : [outlets]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The hash of a stored version under the scheme it was made with (to check one): legacy rows
 * from their stored WhatsApp text, newer ones from their body.
 */
export function storedVersionHash(
  scheme: HashScheme,
  input: {
    text: string;
    body: BulletinBody;
    category: string | null;
    mediaSha256: string | null;
    lists: readonly string[];
    outlets?: readonly string[] | null;
  },
): string {
  return scheme === 'whatsapp_text' ? versionHash(input) : bodyVersionHash(input);
}

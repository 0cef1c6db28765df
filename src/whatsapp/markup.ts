import { normaliseEntities } from '../core/body.js';
import { CATEGORIES, isCategory } from '../core/compose.js';
import type { BodyEntity, BulletinBody } from '../core/outlets.js';

/**
 * The neutral body as WhatsApp markup: *bold*, _italic_ (underline too: WhatsApp has none),
 * ~strike~, ```code```, "> " quotes, and links as "text (url)". Nested entities nest; anything
 * WhatsApp has no markup for stays plain. WhatsApp has no escape either: markup characters staff
 * typed as text reach it as they are (as they always did).
 */
export function toWhatsappMarkup(body: BulletinBody): string {
  const spans = normaliseEntities(body.text, body.entities);
  return render(body.text, spans, 0, body.text.length, new Set());
}

/**
 * Exactly what a citizen reads on WhatsApp: the category header, the body in markup and, when
 * BULLETIN_LINK is on, a last line with the bulletin's public page to check it is genuine.
 */
export function whatsappMessageText(input: {
  body: BulletinBody;
  category: string | null;
  link?: string | null;
}): string {
  const parts: string[] = [];
  if (isCategory(input.category)) parts.push(`*${CATEGORIES[input.category].toUpperCase()}*`);
  const text = toWhatsappMarkup(input.body);
  if (text !== '') parts.push(text);
  const message = parts.join('\n\n');
  if (!input.link) return message;
  return message === '' ? `Verifica: ${input.link}` : `${message}\n\nVerifica: ${input.link}`;
}

function render(text: string, spans: BodyEntity[], start: number, end: number, active: Set<string>): string {
  let out = '';
  let pos = start;
  let i = 0;
  while (i < spans.length) {
    const span = spans[i]!;
    const to = Math.min(span.offset + span.length, end);
    let j = i + 1;
    while (j < spans.length && spans[j]!.offset < to) j++;
    if (span.offset >= pos && span.offset < to) {
      out += text.slice(pos, span.offset);
      out += wrap(text, span, to, spans.slice(i + 1, j), active);
      pos = to;
    }
    i = j;
  }
  return out + text.slice(pos, end);
}

const MARKS: Partial<Record<BodyEntity['type'], string>> = {
  bold: '*',
  italic: '_',
  underline: '_',
  strikethrough: '~',
  code: '```',
  pre: '```',
};

const WORD = /[\p{L}\p{N}]/u;

function wrap(text: string, span: BodyEntity, to: number, inside: BodyEntity[], active: Set<string>): string {
  const from = span.offset;
  const mark = MARKS[span.type];
  const nested = mark ? new Set([...active, mark]) : active;
  const inner = render(text, inside, from, to, nested);
  if (span.type === 'text_link')
    return sameLink(text.slice(from, to), span.url!) ? inner : `${inner} (${span.url})`;
  if (span.type === 'blockquote') {
    return inner
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
  }
  if (!mark || active.has(mark)) return inner;
  // Code is shown as written: markup inside it would show literally on WhatsApp.
  const content = mark === '```' ? text.slice(from, to) : inner;
  // WhatsApp renders a mark only against non-space characters: "*bold *" shows the stars.
  const lead = /^\s*/.exec(content)![0];
  const trail = /\s*$/.exec(content.slice(lead.length))![0];
  const core = content.slice(lead.length, content.length - trail.length);
  if (core === '') return content;
  // Nor inside a word ("Co*mune*" shows the stars), nor around its own character.
  const before = text[from + lead.length - 1] ?? '';
  const after = text[to - trail.length] ?? '';
  if (WORD.test(before) || WORD.test(after)) return content;
  if (mark !== '```' && text.slice(from, to).includes(mark)) return content;
  return `${lead}${mark}${core}${mark}${trail}`;
}

/** A link whose text already is its address ("comune.it" for https://comune.it/) is shown once. */
function sameLink(shown: string, url: string): boolean {
  const bare = (s: string) =>
    s
      .trim()
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/$/, '')
      .toLowerCase();
  return bare(shown) === bare(url);
}

import type { BodyEntity, BulletinBody } from './outlets.js';

/**
 * The neutral bulletin body (what staff wrote: text plus Telegram-style entities, offsets and
 * lengths in UTF-16 code units as JavaScript strings count them). Pure helpers every outlet shares;
 * each outlet renders the body itself (WhatsApp markup, Telegram entities, HTML).
 */

export const BODY_ENTITY_TYPES = [
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'code',
  'pre',
  'blockquote',
  'text_link',
  'url',
] as const satisfies readonly BodyEntity['type'][];

const KNOWN = new Set<string>(BODY_ENTITY_TYPES);

/** On one span, blocks and links wrap the marks: "*bando* (url)", not "*bando (url)*". */
const OUTER_FIRST: BodyEntity['type'][] = [
  'blockquote',
  'pre',
  'text_link',
  'url',
  'code',
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
];

/** A body of plain text, no formatting (what a legacy or typed-in text is). */
export function plainBody(text: string): BulletinBody {
  return { text, entities: [] };
}

/** The body's text for feeds, excerpts and readability: no markup at all. */
export function plainText(body: BulletinBody): string {
  return body.text;
}

/** True when there is nothing to read: only spaces, or no text at all. */
export function isEmptyBody(body: BulletinBody): boolean {
  return body.text.trim() === '';
}

/** Length as Telegram and JavaScript count it (UTF-16 code units); what the length limits use. */
export function bodyLength(body: BulletinBody): number {
  return body.text.length;
}

/** The first `max` characters of the body's text, with an ellipsis when cut (never mid-surrogate). */
export function excerpt(body: BulletinBody, max: number): string {
  const text = body.text;
  if (text.length <= max) return text;
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Moves an offset that falls inside a surrogate pair (inside an emoji) to the pair's start. */
function onCodePoint(text: string, offset: number): number {
  return offset > 0 && offset < text.length && isLowSurrogate(text.charCodeAt(offset)) ? offset - 1 : offset;
}

/** Rounds an entity's end up so it never splits a surrogate pair. */
function endOnCodePoint(text: string, end: number): number {
  return end > 0 && end < text.length && isLowSurrogate(text.charCodeAt(end)) ? end + 1 : end;
}

function sameEntity(a: BodyEntity, b: BodyEntity): boolean {
  return a.type === b.type && a.offset === b.offset && a.length === b.length && a.url === b.url;
}

/**
 * Entities made safe to render: unknown types and links without a URL dropped, spans clipped to
 * the text and to whole code points, empty ones dropped, duplicates removed, and crossing spans
 * split so every pair either nests or is disjoint. Sorted by offset, outer before inner.
 */
export function normaliseEntities(text: string, entities: readonly BodyEntity[]): BodyEntity[] {
  const spans: BodyEntity[] = [];
  for (const e of entities) {
    if (typeof e !== 'object' || e === null) continue;
    if (!KNOWN.has(e.type) || !Number.isInteger(e.offset) || !Number.isInteger(e.length)) continue;
    if (e.type === 'text_link' && !e.url) continue;
    const start = onCodePoint(text, Math.max(0, e.offset));
    const end = endOnCodePoint(text, Math.min(text.length, e.offset + e.length));
    if (end <= start) continue;
    spans.push(entity(e, start, end));
  }
  const byStart = (a: BodyEntity, b: BodyEntity) =>
    a.offset - b.offset ||
    b.length - a.length ||
    OUTER_FIRST.indexOf(a.type) - OUTER_FIRST.indexOf(b.type) ||
    (a.url ?? '').localeCompare(b.url ?? '');
  const work = spans.sort(byStart);
  const out: BodyEntity[] = [];
  const open: BodyEntity[] = [];
  while (work.length > 0) {
    const e = work.shift()!;
    while (open.length > 0 && end(open.at(-1)!) <= e.offset) open.pop();
    const parent = open.at(-1);
    if (parent && end(e) > end(parent)) {
      // Crossing: the part inside the parent nests in it, the rest starts where the parent ends.
      const rest = entity(e, end(parent), end(e));
      work.splice(insertionPoint(work, rest, byStart), 0, rest);
      const inside = entity(e, e.offset, end(parent));
      if (!out.some((o) => sameEntity(o, inside))) out.push(inside);
      open.push(inside);
      continue;
    }
    if (out.some((o) => sameEntity(o, e))) continue;
    out.push(e);
    open.push(e);
  }
  return out.sort(byStart);
}

const end = (e: BodyEntity) => e.offset + e.length;

function entity(e: BodyEntity, start: number, stop: number): BodyEntity {
  return {
    type: e.type,
    offset: start,
    length: stop - start,
    ...(e.url !== undefined ? { url: e.url } : {}),
    ...(e.language !== undefined ? { language: e.language } : {}),
  };
}

function insertionPoint(list: BodyEntity[], item: BodyEntity, cmp: (a: BodyEntity, b: BodyEntity) => number) {
  const at = list.findIndex((x) => cmp(item, x) < 0);
  return at === -1 ? list.length : at;
}

/** The body as stored: text trimmed (entities moved with it) and entities normalised. */
export function normaliseBody(body: BulletinBody): BulletinBody {
  const lead = /^\s*/.exec(body.text)![0].length;
  const text = body.text.trim();
  const moved = body.entities.map((e) => ({ ...e, offset: e.offset - lead }));
  return { text, entities: normaliseEntities(text, moved) };
}

/**
 * The entities of `body` placed after `offset` characters of other text (a header), clipped to
 * a message of `limit` characters: for showing the body inside a longer message.
 */
export function shiftEntities(
  body: BulletinBody,
  offset: number,
  limit = Number.POSITIVE_INFINITY,
): BodyEntity[] {
  return body.entities
    .map((e) => ({ ...e, offset: e.offset + offset }))
    .filter((e) => e.offset < limit)
    .map((e) => ({ ...e, length: Math.min(e.length, limit - e.offset) }));
}

/** Reads a stored body back (jsonb), tolerating what an older writer left; normalised. */
export function parseBody(value: unknown): BulletinBody {
  if (typeof value !== 'object' || value === null) return plainBody('');
  const { text, entities } = value as { text?: unknown; entities?: unknown };
  const plain = typeof text === 'string' ? text : '';
  return { text: plain, entities: normaliseEntities(plain, Array.isArray(entities) ? entities : []) };
}

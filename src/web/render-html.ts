import type { BodyEntity, BulletinBody } from '../core/outlets.js';

/**
 * The neutral body as the web shows it: HTML for the page and the feeds' content, plain text for
 * the feeds' text fields. Everything staff wrote is escaped; a link keeps its address only when it
 * is http, https, mailto or tel.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** The address a link may point to, or undefined (javascript:, data:, anything unparseable). */
export function safeHref(address: string): string | undefined {
  const trimmed = address.trim();
  // Telegram marks "www.comune.it" as a url without a scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(withScheme);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const TAGS: Partial<Record<BodyEntity['type'], [string, string]>> = {
  bold: ['<strong>', '</strong>'],
  italic: ['<em>', '</em>'],
  underline: ['<u>', '</u>'],
  strikethrough: ['<s>', '</s>'],
  spoiler: ['<span class="spoiler">', '</span>'],
  code: ['<code>', '</code>'],
  blockquote: ['<blockquote>', '</blockquote>'],
};

function validEntities(body: BulletinBody): BodyEntity[] {
  return body.entities
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset + e.length <= body.text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
}

type Open = { entity: BodyEntity; close: string };

function openTag(entity: BodyEntity, text: string, stack: Open[]): Open {
  if (entity.type === 'pre') {
    const language = entity.language && /^[A-Za-z0-9+#-]{1,30}$/.test(entity.language) ? entity.language : '';
    return {
      entity,
      close: `<pre>${language ? `<code class="language-${language}">` : '<code>'}\u0000</code></pre>`,
    };
  }
  if (entity.type === 'text_link' || entity.type === 'url') {
    const target =
      entity.type === 'url' ? text.slice(entity.offset, entity.offset + entity.length) : entity.url;
    const href = target === undefined ? undefined : safeHref(target);
    // No link inside a link: the inner one stays text.
    const inLink = stack.some((open) => open.close.endsWith('</a>'));
    return { entity, close: href && !inLink ? `<a href="${escapeHtml(href)}">\u0000</a>` : '\u0000' };
  }
  const [start, end] = TAGS[entity.type] ?? ['', ''];
  return { entity, close: `${start}\u0000${end}` };
}

const opening = (open: Open) => open.close.slice(0, open.close.indexOf('\u0000'));
const closing = (open: Open) => open.close.slice(open.close.indexOf('\u0000') + 1);

/** The body as HTML: entities become tags (overlaps closed and reopened), line breaks `<br>`. */
export function bodyToHtml(body: BulletinBody): string {
  const { text } = body;
  const entities = validEntities(body);
  const bounds = [
    ...new Set([0, text.length, ...entities.flatMap((e) => [e.offset, e.offset + e.length])]),
  ].sort((a, b) => a - b);
  const stack: Open[] = [];
  let html = '';
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    const active = entities.filter((e) => e.offset <= from && e.offset + e.length >= to);
    let keep = 0;
    while (keep < stack.length && keep < active.length && stack[keep]!.entity === active[keep]) keep++;
    while (stack.length > keep) html += closing(stack.pop()!);
    for (const entity of active.slice(keep)) {
      const open = openTag(entity, text, stack);
      stack.push(open);
      html += opening(open);
    }
    const inPre = stack.some((open) => open.entity.type === 'pre');
    const piece = escapeHtml(text.slice(from, to));
    html += inPre ? piece : piece.replace(/\r?\n/g, '<br>\n');
  }
  while (stack.length > 0) html += closing(stack.pop()!);
  return html;
}

/** The body as plain text; a link's address follows its words in brackets. */
export function bodyToText(body: BulletinBody): string {
  let text = body.text;
  const links = validEntities(body)
    .filter((e) => e.type === 'text_link' && e.url !== undefined)
    .sort((a, b) => b.offset + b.length - (a.offset + a.length));
  for (const link of links) {
    const href = safeHref(link.url!);
    if (!href) continue;
    const end = link.offset + link.length;
    text = `${text.slice(0, end)} (${href})${text.slice(end)}`;
  }
  return text;
}

/** Part of a body, its entities clipped to it and moved with it. */
export function sliceBody(body: BulletinBody, start: number, end = body.text.length): BulletinBody {
  const entities = body.entities.flatMap((e) => {
    const from = Math.max(e.offset, start);
    const to = Math.min(e.offset + e.length, end);
    return to > from ? [{ ...e, offset: from - start, length: to - from }] : [];
  });
  return { text: body.text.slice(start, end), entities };
}

const TITLE_MAX = 140;

/** Cuts plain text at a word boundary, with an ellipsis when it was longer. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The title is the body's first line; the rest follows it. A first line too long to be a title
 * is shortened and the whole body follows. Undefined title: the body has no words.
 */
export function splitTitle(body: BulletinBody): { title: string | undefined; rest: BulletinBody } {
  const start = body.text.search(/\S/);
  if (start < 0) return { title: undefined, rest: { text: '', entities: [] } };
  const newline = body.text.indexOf('\n', start);
  const end = newline < 0 ? body.text.length : newline;
  const line = body.text.slice(start, end).trim();
  if (line.length > TITLE_MAX) return { title: truncate(line, TITLE_MAX), rest: body };
  const after = body.text.slice(end).search(/\S/);
  const rest = after < 0 ? { text: '', entities: [] } : sliceBody(body, end + after);
  return { title: line, rest };
}

/** Text as the page shows it: always escaped first, then only the markup each app knows. */

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

/** WhatsApp's markup as a phone renders it: *bold*, _italic_, ~strike~, ```monospace```. */
export function whatsappHtml(text: string): string {
  return escapeHtml(text)
    .replace(/```([\s\S]+?)```/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s.,;:!?)])/gm, '$1<strong>$2</strong>')
    .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s.,;:!?)])/gm, '$1<em>$2</em>')
    .replace(/(^|[\s(])~(\S(?:[^~\n]*\S)?)~(?=$|[\s.,;:!?)])/gm, '$1<s>$2</s>')
    .replace(/\n/g, '<br>');
}

/** Telegram's formatting entities the page shows, as HTML tags. */
const ENTITY_TAGS: Record<string, string> = {
  bold: 'strong',
  italic: 'em',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  pre: 'code',
};

type Entity = { type: string; offset: number; length: number };

/** Plain text with Telegram's entities (offsets in UTF-16 units, as JavaScript counts). */
function entitiesHtml(text: string, entities: readonly Entity[]): string {
  const opens = new Map<number, string[]>();
  const closes = new Map<number, string[]>();
  const sorted = entities
    .filter((e) => ENTITY_TAGS[e.type])
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  for (const e of sorted) {
    const tag = ENTITY_TAGS[e.type]!;
    opens.set(e.offset, [...(opens.get(e.offset) ?? []), `<${tag}>`]);
    // An inner entity ending at the same place closes before the outer one.
    closes.set(e.offset + e.length, [`</${tag}>`, ...(closes.get(e.offset + e.length) ?? [])]);
  }
  let html = '';
  for (let i = 0; i <= text.length; i++) {
    html += (closes.get(i) ?? []).join('') + (opens.get(i) ?? []).join('');
    if (i < text.length) html += escapeHtml(text[i]!);
  }
  return html;
}

const KEPT_TAGS = /^<\/?(b|strong|i|em|u|s|code|pre)>$/;

/**
 * A Bot API text as Telegram shows it: with parse_mode HTML the bot has escaped the text itself, so
 * only the simple formatting tags are kept and any other tag (a link, a mention) leaves its text;
 * otherwise the text is escaped and its formatting entities applied.
 */
export function telegramHtml(text: string, parseMode: unknown, entities: readonly Entity[] = []): string {
  const html =
    parseMode === 'HTML'
      ? text.replace(/<[^>]*>/g, (tag) => (KEPT_TAGS.test(tag) ? tag : ''))
      : entitiesHtml(text, entities);
  return html.replace(/\n/g, '<br>');
}

import type { MessageEntity } from 'grammy/types';

/**
 * Telegram formatting (entities over the plain text, offsets in UTF-16 code units as JavaScript
 * strings count them) as WhatsApp markup: *bold*, _italic_, ~strike~, `code`, ```pre```, and links
 * as "text (url)". Nested entities nest; anything WhatsApp has no markup for stays plain.
 */
export function toWhatsappMarkup(text: string, entities: readonly MessageEntity[] = []): string {
  const sorted = entities
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset < text.length)
    .map((e) => ({ ...e, end: Math.min(text.length, e.offset + e.length) }))
    .sort((a, b) => a.offset - b.offset || b.end - a.end);
  return render(text, sorted, 0, text.length);
}

type Span = MessageEntity & { end: number };

function render(text: string, spans: Span[], start: number, end: number): string {
  let out = '';
  let pos = start;
  let i = 0;
  while (i < spans.length) {
    const span = spans[i]!;
    // An entity overlapping the previous one without nesting in it is cut where the previous ends.
    const from = Math.max(span.offset, pos);
    const to = Math.min(span.end, end);
    let j = i + 1;
    while (j < spans.length && spans[j]!.offset < to) j++;
    if (from < to) {
      out += text.slice(pos, from);
      out += wrap(span, text.slice(from, to), render(text, spans.slice(i + 1, j), from, to));
      pos = to;
    }
    i = j;
  }
  return out + text.slice(pos, end);
}

const MARKS: Partial<Record<MessageEntity['type'], string>> = {
  bold: '*',
  italic: '_',
  // WhatsApp has no underline: italic is the nearest emphasis.
  underline: '_',
  strikethrough: '~',
  code: '`',
  pre: '```',
};

function wrap(span: Span, raw: string, inner: string): string {
  if (span.type === 'text_link') return `${inner} (${span.url})`;
  if (span.type === 'text_mention') return inner;
  if (span.type === 'blockquote' || span.type === 'expandable_blockquote') {
    return inner
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
  }
  const mark = MARKS[span.type];
  if (!mark) return inner;
  // Code is shown as written: markup inside it would show literally on WhatsApp.
  const body = mark === '`' || mark === '```' ? raw : inner;
  // WhatsApp renders a mark only against non-space characters: "*bold *" shows the stars.
  const lead = /^\s*/.exec(body)![0];
  const trail = /\s*$/.exec(body.slice(lead.length))![0];
  const core = body.slice(lead.length, body.length - trail.length);
  if (core === '') return body;
  return `${lead}${mark}${core}${mark}${trail}`;
}

/**
 * The body of a `/bozza` message: what follows the command, with the entities that fall in it,
 * their offsets moved to match. Text and entities as Telegram gave them when there is no command.
 */
export function afterCommand(
  text: string,
  entities: readonly MessageEntity[] = [],
): { text: string; entities: MessageEntity[] } {
  const command = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!command) return { text, entities: [...entities] };
  const skip = command.length + (/^\s*/.exec(text.slice(command.length))?.[0].length ?? 0);
  const moved = entities
    .filter((e) => e !== command && e.offset + e.length > skip)
    .map((e) => {
      const offset = Math.max(e.offset, skip);
      return { ...e, offset: offset - skip, length: e.offset + e.length - offset };
    });
  return { text: text.slice(skip), entities: moved };
}

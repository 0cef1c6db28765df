import type { MessageEntity } from 'grammy/types';
import { BODY_ENTITY_TYPES, normaliseBody, shiftEntities } from '../core/body.js';
import { CATEGORIES, isCategory } from '../core/compose.js';
import type { BodyEntity, BulletinBody } from '../core/outlets.js';

/**
 * Telegram's entities as the neutral body keeps them: formatting and links stay, what only means
 * something inside Telegram (commands, mentions, hashtags, custom emoji) goes. An expandable
 * quote is a quote.
 */
export function bodyFromTelegram(text: string, entities: readonly MessageEntity[] = []): BulletinBody {
  const kept: BodyEntity[] = [];
  for (const e of entities) {
    const type = e.type === 'expandable_blockquote' ? 'blockquote' : e.type;
    if (!(BODY_ENTITY_TYPES as readonly string[]).includes(type)) continue;
    kept.push({
      type: type as BodyEntity['type'],
      offset: e.offset,
      length: e.length,
      ...(e.type === 'text_link' ? { url: e.url } : {}),
      ...(e.type === 'pre' && e.language ? { language: e.language } : {}),
    });
  }
  return normaliseBody({ text, entities: kept });
}

/**
 * The body as staff see it in the group: the category's name in capitals and in bold above it,
 * as WhatsApp shows the header.
 */
export function withCategoryHeader(body: BulletinBody, category: string | null): BulletinBody {
  if (!isCategory(category)) return body;
  const header = CATEGORIES[category].toUpperCase();
  if (body.text === '')
    return { text: header, entities: [{ type: 'bold', offset: 0, length: header.length }] };
  const room = header.length + 2;
  return {
    text: `${header}\n\n${body.text}`,
    entities: [{ type: 'bold', offset: 0, length: header.length }, ...shiftEntities(body, room)],
  };
}

/**
 * The body's entities for the Bot API (`entities` or `caption_entities`), placed after `offset`
 * characters of header and clipped to `limit`: Telegram shows the body exactly as staff wrote it.
 */
export function telegramEntities(body: BulletinBody, offset = 0, limit?: number): MessageEntity[] {
  return shiftEntities(body, offset, limit).map((e): MessageEntity => {
    if (e.type === 'text_link') return { type: 'text_link', offset: e.offset, length: e.length, url: e.url! };
    if (e.type === 'pre') {
      return {
        type: 'pre',
        offset: e.offset,
        length: e.length,
        ...(e.language ? { language: e.language } : {}),
      };
    }
    return { type: e.type, offset: e.offset, length: e.length };
  });
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

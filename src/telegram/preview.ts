import type { Api } from 'grammy';
import { InlineKeyboard } from 'grammy';
import type { MessageEntity } from 'grammy/types';
import { type Bulletin, getBulletin } from '../core/bulletins.js';
import type { BulletinBody, OutletName } from '../core/outlets.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { buttonData } from './callback-data.js';
import { telegramEntities } from './format.js';
import { type PreviewMedia, type PreviewOptions, previewFacts, shownBody } from './preview-facts.js';
import { choosable } from './preview-outlets.js';
import { DRAFT_LABELS, OUTLETS_LABEL, previewText, supersededPreview } from './texts.js';

/** Telegram's limits: a message's text, and a caption under a photo, video or document. */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** Room the preview's header takes, so a bulletin that is accepted also fits in its preview. */
export const PREVIEW_TEXT_ROOM = 800;
export const PREVIEW_CAPTION_ROOM = 200;

/**
 * The entities of `shown` in a message that ends with it (the preview puts the body last), or
 * that was cut at `limit` (then the body started where `whole`, the uncut message, had it).
 */
function entitiesAtEnd(message: string, whole: string, shown: BulletinBody): MessageEntity[] {
  if (shown.text === '' || !whole.endsWith(shown.text)) return [];
  const offset = whole.length - shown.text.length;
  // A cut message ends with "…": formatting stops before it.
  return telegramEntities(shown, offset, message === whole ? message.length : message.length - 1);
}

/** The preview's buttons for the bulletin's state: decisions and drafting while pending, none after. */
export function previewKeyboard(
  bulletin: Bulletin,
  options: { outlets?: readonly OutletName[] | undefined } = {},
): InlineKeyboard | undefined {
  const id = bulletin.id;
  const version = bulletin.version;
  if (bulletin.state === 'pending') {
    const keyboard = new InlineKeyboard()
      .text(DRAFT_LABELS.approve, buttonData({ action: 'approve', bulletinId: id, version }))
      .text(DRAFT_LABELS.reject, buttonData({ action: 'reject', bulletinId: id, version }))
      .row()
      .text(DRAFT_LABELS.schedule, buttonData({ action: 'schedule', bulletinId: id, version }))
      .text(DRAFT_LABELS.urgent, buttonData({ action: 'urgent', bulletinId: id, version }))
      .row()
      .text(DRAFT_LABELS.category, buttonData({ action: 'category', bulletinId: id, version }))
      .text(DRAFT_LABELS.lists, buttonData({ action: 'lists', bulletinId: id, version }));
    if (choosable(options))
      keyboard.text(OUTLETS_LABEL, buttonData({ action: 'outlets', bulletinId: id, version }));
    return keyboard.row().text(DRAFT_LABELS.withdraw, buttonData({ action: 'withdraw', bulletinId: id }));
  }
  if (bulletin.state === 'approved' && bulletin.sendAt !== null && bulletin.startedAt === null) {
    return new InlineKeyboard().text(
      DRAFT_LABELS.unschedule,
      buttonData({ action: 'unschedule', bulletinId: id, version }),
    );
  }
  return undefined;
}

/**
 * The preview message of a bulletin, rendered from the database alone: its state, who decided
 * (the name the deciding action recorded in the register's detail), the recipients, the length and
 * readability, and exactly what citizens will read. A media bulletin's preview is the file itself
 * with this text as its caption.
 */
export async function renderPreview(
  db: Db,
  bulletinId: number,
  options: PreviewOptions,
): Promise<{
  text: string;
  entities: MessageEntity[];
  keyboard: InlineKeyboard | undefined;
  media: PreviewMedia | undefined;
}> {
  const bulletin = await getBulletin(db, bulletinId);
  const { facts, media, shown } = await previewFacts(db, bulletin, options);
  const limit = media ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_TEXT_LIMIT;
  const text = previewText(facts, limit);
  return {
    text,
    entities: entitiesAtEnd(text, text, shown),
    keyboard: previewKeyboard(bulletin, options),
    media,
  };
}

type PreviewApi = Pick<Api, 'sendMessage' | 'sendPhoto' | 'sendVideo' | 'sendDocument'>;

/** Posts a new preview (text, or the file with the preview as caption) and returns its message id. */
export async function postPreview(
  api: PreviewApi,
  db: Db,
  chatId: number,
  bulletinId: number,
  options: PreviewOptions,
): Promise<number> {
  const { text, entities, keyboard, media } = await renderPreview(db, bulletinId, options);
  const markup = keyboard ? { reply_markup: keyboard } : {};
  const formatted = entities.length > 0 ? { entities } : {};
  if (!media) return (await api.sendMessage(chatId, text, { ...formatted, ...markup })).message_id;
  const withCaption = {
    caption: text,
    ...(entities.length > 0 ? { caption_entities: entities } : {}),
    ...markup,
  };
  switch (media.kind) {
    case 'image':
      return (await api.sendPhoto(chatId, media.fileId, withCaption)).message_id;
    case 'video':
      return (await api.sendVideo(chatId, media.fileId, withCaption)).message_id;
    case 'document':
      return (await api.sendDocument(chatId, media.fileId, withCaption)).message_id;
  }
}

type EditApi = Pick<Api, 'editMessageText' | 'editMessageCaption'>;

async function editPreview(
  api: EditApi,
  chatId: number,
  messageId: number,
  isMedia: boolean,
  text: string,
  entities: MessageEntity[],
  keyboard: InlineKeyboard | undefined,
): Promise<void> {
  const reply_markup = keyboard ?? { inline_keyboard: [] };
  const some = entities.length > 0;
  if (isMedia) {
    const caption_entities = some ? { caption_entities: entities } : {};
    await api.editMessageCaption(chatId, messageId, { caption: text, ...caption_entities, reply_markup });
  } else await api.editMessageText(chatId, messageId, text, { ...(some ? { entities } : {}), reply_markup });
}

/**
 * Edits the bulletin's preview message to show its current state (the caption, for a media
 * bulletin); `keyboard` replaces the state's buttons (a picker that stays open). A failure is
 * logged, not thrown.
 */
export async function refreshPreview(
  api: EditApi,
  db: Db,
  chatId: number,
  bulletinId: number,
  logger: Logger,
  options: PreviewOptions & { keyboard?: InlineKeyboard },
): Promise<void> {
  const bulletin = await getBulletin(db, bulletinId);
  if (bulletin.previewMessageId === null) return;
  const { text, entities, keyboard, media } = await renderPreview(db, bulletinId, options);
  await editPreview(
    api,
    chatId,
    bulletin.previewMessageId,
    media !== undefined,
    text,
    entities,
    options.keyboard ?? keyboard,
  ).catch((err: unknown) => logger.warn({ err, bulletin_id: bulletinId }, 'could not update the preview'));
}

/** Marks an older preview as replaced by the next version and takes its buttons away. */
export async function supersedePreview(
  api: EditApi,
  chatId: number,
  previous: Bulletin,
  hadMedia: boolean,
  logger: Logger,
): Promise<void> {
  if (previous.previewMessageId === null) return;
  const shown = shownBody(previous);
  const input = { bulletinId: previous.id, version: previous.version, text: shown.text };
  const text = supersededPreview(input, hadMedia ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_TEXT_LIMIT);
  const entities = entitiesAtEnd(text, supersededPreview(input, Number.POSITIVE_INFINITY), shown);
  await editPreview(api, chatId, previous.previewMessageId, hadMedia, text, entities, undefined).catch(
    (err: unknown) =>
      logger.warn({ err, bulletin_id: previous.id }, 'could not mark the old preview as replaced'),
  );
}

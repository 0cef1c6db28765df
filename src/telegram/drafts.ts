import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import { bodyLength, isEmptyBody } from '../core/body.js';
import { type Bulletin, createDraft, setPreviewMessage } from '../core/bulletins.js';
import type { NewMedia } from '../core/media.js';
import { requireRole } from '../core/staff.js';
import { addVersion, bulletinWithPreview } from '../core/versions.js';
import { answer, type BotContext, displayName, type FeatureDeps } from './context.js';
import { contentOf, type DraftContent, draftContent } from './draft-input.js';
import { fetchMedia, MediaTooBig } from './media-fetch.js';
import {
  PREVIEW_CAPTION_ROOM,
  PREVIEW_TEXT_ROOM,
  postPreview,
  supersedePreview,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
} from './preview.js';
import {
  captionTooLong,
  draftUsageMedia,
  mediaDownloadFailed,
  mediaTooBig,
  onlyPdf,
  textTooLong,
  versionUsage,
} from './texts.js';

/** The longest bulletin text, and the longest caption of a media bulletin, whose preview still fits. */
export const MAX_DRAFT_LENGTH = TELEGRAM_TEXT_LIMIT - PREVIEW_TEXT_ROOM;
export const MAX_CAPTION_LENGTH = TELEGRAM_CAPTION_LIMIT - PREVIEW_CAPTION_ROOM;

/** A refusal already told to the person: nothing more to do. */
class Told extends Error {}

async function tell(ctx: BotContext, text: string): Promise<never> {
  await answer(ctx, text);
  throw new Told();
}

/** Checks the length for where the preview will show it, then downloads the file, if any. */
async function prepare(
  ctx: BotContext,
  deps: FeatureDeps,
  content: DraftContent,
  hasMedia: boolean,
): Promise<NewMedia | undefined> {
  const max = hasMedia ? MAX_CAPTION_LENGTH : MAX_DRAFT_LENGTH;
  const length = bodyLength(content.body);
  if (length > max) {
    await tell(ctx, hasMedia ? captionTooLong(max, length) : textTooLong(max, length));
  }
  if (!content.media) return undefined;
  try {
    return await fetchMedia(ctx.api, deps.config.telegram!, content.media);
  } catch (err) {
    if (err instanceof MediaTooBig) return tell(ctx, mediaTooBig(err.size, err.limit));
    ctx.logger.warn({ err }, 'could not download the file');
    return tell(ctx, mediaDownloadFailed());
  }
}

async function newDraft(
  ctx: BotContext,
  deps: FeatureDeps,
  content: DraftContent | 'not_pdf',
): Promise<void> {
  if (content === 'not_pdf') return tell(ctx, onlyPdf());
  if (isEmptyBody(content.body) && !content.media) return tell(ctx, draftUsageMedia());
  // The role is checked again where the draft is stored; checking first spares a stranger's download.
  await requireRole(deps.db, ctx.from!.id, deps.adminIds, 'redattore');
  const media = await prepare(ctx, deps, content, content.media !== undefined);
  const bulletin = await createDraft(deps.db, {
    authorId: ctx.from!.id,
    authorName: displayName(ctx),
    body: content.body,
    adminIds: deps.adminIds,
    ...(media ? { media } : {}),
    // Every configured outlet unless staff choose otherwise on the preview ("Canali").
    ...(deps.config.outlets ? { outlets: deps.config.outlets } : {}),
  });
  ctx.logger.info({ bulletin_id: bulletin.id, media: media?.kind }, 'draft created');
  const messageId = await postPreview(ctx.api, deps.db, ctx.chatId!, bulletin.id, deps.config);
  await setPreviewMessage(deps.db, bulletin.id, messageId);
}

async function newVersion(
  ctx: BotContext,
  deps: FeatureDeps,
  target: Bulletin,
  content: DraftContent | 'not_pdf',
): Promise<void> {
  if (content === 'not_pdf') return tell(ctx, onlyPdf());
  if (isEmptyBody(content.body) && !content.media) return tell(ctx, versionUsage());
  await requireRole(deps.db, ctx.from!.id, deps.adminIds, 'redattore');
  const media = await prepare(ctx, deps, content, content.media !== undefined || target.mediaId !== null);
  const { bulletin, previous, approvalVoided } = await addVersion(deps.db, {
    bulletinId: target.id,
    actorId: ctx.from!.id,
    actorName: displayName(ctx),
    adminIds: deps.adminIds,
    ...(isEmptyBody(content.body) ? {} : { body: content.body }),
    ...(media ? { media } : {}),
  });
  ctx.logger.info({ bulletin_id: bulletin.id, version: bulletin.version, approvalVoided }, 'new version');
  await supersedePreview(ctx.api, ctx.chatId!, previous, previous.mediaId !== null, ctx.logger);
  const messageId = await postPreview(ctx.api, deps.db, ctx.chatId!, bulletin.id, deps.config);
  await setPreviewMessage(deps.db, bulletin.id, messageId);
}

/** The bulletin whose current preview `replied` is (a message of this bot), if any. */
async function previewed(ctx: BotContext, deps: FeatureDeps, replied: Message | undefined) {
  if (!replied || replied.from?.id !== ctx.me.id) return undefined;
  return bulletinWithPreview(deps.db, replied.message_id);
}

/** A caption that starts with `/bozza` (Telegram and grammY match commands in texts only). */
function startsWithDraftCommand(msg: Message, username: string): boolean {
  const command = msg.caption_entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!command || !msg.caption) return false;
  const word = msg.caption.slice(0, command.length).toLowerCase();
  return word === '/bozza' || word === `/bozza@${username.toLowerCase()}`;
}

const told = (err: unknown) => {
  if (!(err instanceof Told)) throw err;
};

/**
 * Drafting: `/bozza <testo>`, `/bozza` on a message with text, photo, video or PDF, or a file
 * whose caption starts with `/bozza`. A reply to a bulletin's preview (with /bozza or without)
 * makes its next version instead, and a new preview below.
 */
export function draftsFeature(deps: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('bozza', async (ctx) => {
    const target = await previewed(ctx, deps, ctx.msg.reply_to_message);
    const work = target
      ? newVersion(ctx, deps, target, contentOf(ctx.msg))
      : newDraft(ctx, deps, draftContent(ctx.msg));
    await work.catch(told);
  });
  feature.on('message', async (ctx, next) => {
    if (startsWithDraftCommand(ctx.msg, ctx.me.username)) {
      const target = await previewed(ctx, deps, ctx.msg.reply_to_message);
      const work = target
        ? newVersion(ctx, deps, target, contentOf(ctx.msg))
        : newDraft(ctx, deps, draftContent(ctx.msg));
      return work.catch(told);
    }
    // Other commands are other features' business, even as replies to a preview.
    if (ctx.msg.entities?.some((e) => e.type === 'bot_command' && e.offset === 0)) return next();
    const target = await previewed(ctx, deps, ctx.msg.reply_to_message);
    if (!target) return next();
    await newVersion(ctx, deps, target, contentOf(ctx.msg)).catch(told);
  });
  return feature;
}

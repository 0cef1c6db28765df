import { Composer } from 'grammy';
import { createDraft, MAX_BULLETIN_LENGTH, setPreviewMessage } from '../core/bulletins.js';
import { answer, type BotContext, displayName, type FeatureDeps } from './context.js';
import { draftText } from './parse.js';
import { draftPreview, draftUsage, PREVIEW_HEADER_ROOM, previewKeyboard, textTooLong } from './texts.js';

// A Telegram message holds 4,096 characters; the preview adds a header to the bulletin.
const TELEGRAM_TEXT_LIMIT = 4096;
export const MAX_DRAFT_LENGTH = Math.min(MAX_BULLETIN_LENGTH, TELEGRAM_TEXT_LIMIT - PREVIEW_HEADER_ROOM);

/** `/bozza`: a redattore or above drafts a bulletin; the group sees it as citizens will, with the two buttons. */
export function draftsFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('bozza', async (ctx) => {
    const text = draftText(ctx.match, ctx.msg.reply_to_message);
    if (text === undefined) {
      await answer(ctx, draftUsage());
      return;
    }
    if (text.trim().length > MAX_DRAFT_LENGTH) {
      await answer(ctx, textTooLong(MAX_DRAFT_LENGTH, text.trim().length));
      return;
    }
    const bulletin = await createDraft(db, { authorId: ctx.from!.id, text, adminIds });
    ctx.logger.info({ bulletin_id: bulletin.id }, 'draft created');
    const preview = await ctx.reply(
      draftPreview({ bulletinId: bulletin.id, authorName: displayName(ctx), text: bulletin.text }),
      { reply_markup: previewKeyboard(bulletin.id) },
    );
    await setPreviewMessage(db, bulletin.id, preview.message_id);
  });
  return feature;
}

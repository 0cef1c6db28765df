import { Composer } from 'grammy';
import { approve, reject } from '../core/bulletins.js';
import { type BotContext, displayName, type FeatureDeps } from './context.js';
import { type Decision, parseDecision } from './parse.js';
import { approvedAnswer, approvedPreview, rejectedAnswer, rejectedPreview } from './texts.js';

type Outcome = { previewMessageId: number | null; preview: string; answer: string };

async function decide(ctx: BotContext, deps: FeatureDeps, decision: Decision): Promise<Outcome> {
  const input = { bulletinId: decision.bulletinId, approverId: ctx.from!.id, adminIds: deps.adminIds };
  if (decision.action === 'approve') {
    const { bulletin, queued } = await approve(deps.db, input);
    ctx.logger.info({ bulletin_id: bulletin.id, queued }, 'bulletin approved');
    const preview = approvedPreview({
      bulletinId: bulletin.id,
      approverName: displayName(ctx),
      queued,
      text: bulletin.text,
    });
    return { previewMessageId: bulletin.previewMessageId, preview, answer: approvedAnswer() };
  }
  const bulletin = await reject(deps.db, input);
  ctx.logger.info({ bulletin_id: bulletin.id }, 'bulletin rejected');
  const preview = rejectedPreview({
    bulletinId: bulletin.id,
    deciderName: displayName(ctx),
    text: bulletin.text,
  });
  return { previewMessageId: bulletin.previewMessageId, preview, answer: rejectedAnswer() };
}

/**
 * The "Approva" and "Rifiuta" buttons. The callback data is only a bulletin id: core checks, on
 * every press, the presser's role and the bulletin's state.
 */
export function approvalFeature(deps: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.on('callback_query:data', async (ctx) => {
    const decision = parseDecision(ctx.callbackQuery.data);
    if (!decision) {
      await ctx.answerCallbackQuery();
      return;
    }
    const outcome = await decide(ctx, deps, decision);
    // The decision is committed: a failure to show it is logged, not reported as a failure.
    const messageId = outcome.previewMessageId ?? ctx.callbackQuery.message?.message_id;
    if (messageId !== undefined) {
      await ctx.api
        .editMessageText(ctx.chatId!, messageId, outcome.preview, { reply_markup: { inline_keyboard: [] } })
        .catch((err: unknown) => ctx.logger.warn({ err }, 'could not update the preview'));
    }
    await ctx
      .answerCallbackQuery({ text: outcome.answer })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer the button press'));
  });
  return feature;
}

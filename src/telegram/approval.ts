import { Composer } from 'grammy';
import {
  type Actor,
  approve,
  checkRejectable,
  draftedBy,
  findRejectPrompt,
  recordRejectPrompt,
  reject,
  withdraw,
} from '../core/decisions.js';
import { romeTime } from '../core/schedule.js';
import { actionPattern, parseButtonData } from './callback-data.js';
import { type BotContext, displayName, type FeatureDeps } from './context.js';
import { refreshPreview } from './preview.js';
import {
  approvedAnswer,
  approvedWaiting,
  authorFallbackName,
  rejectAsked,
  rejectedNotice,
  rejectPrompt,
  whenText,
  withdrawnAnswer,
} from './texts.js';

export function actorOf(ctx: BotContext, deps: FeatureDeps): Actor {
  return { userId: ctx.from!.id, name: displayName(ctx), adminIds: deps.adminIds };
}

/** The button's data, or undefined (the press is answered with nothing) when it is not ours. */
export async function pressed(ctx: BotContext) {
  const data = parseButtonData(ctx.callbackQuery?.data ?? '');
  if (!data) await ctx.answerCallbackQuery();
  return data;
}

/** The decision is committed: a failure to say so is logged, not reported as a failure. */
export async function acknowledge(ctx: BotContext, text: string): Promise<void> {
  await ctx
    .answerCallbackQuery({ text })
    .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer the button press'));
}

/** The first name Telegram shows for a member of this chat; a plain word when it cannot say. */
async function memberName(ctx: BotContext, userId: number): Promise<string> {
  try {
    const member = await ctx.api.getChatMember(ctx.chatId!, userId);
    return member?.user?.first_name || authorFallbackName();
  } catch (err) {
    ctx.logger.debug({ err, user_id: userId }, 'could not read a member name');
    return authorFallbackName();
  }
}

/**
 * "Approva", "Rifiuta" (asks for a reason, given as a reply), "Ritira". Callback data only names
 * the bulletin and the version the presser saw: core re-checks role, state and version.
 */
export function approvalFeature(deps: FeatureDeps): Composer<BotContext> {
  const { db, config } = deps;
  const feature = new Composer<BotContext>();

  feature.callbackQuery(actionPattern('approve'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const { bulletin, queued, startsAt } = await approve(db, {
      ...actorOf(ctx, deps),
      bulletinId: data.bulletinId,
      version: data.version,
      requireSecondApprover: config.requireSecondApprover,
      window: config.sendWindow,
    });
    ctx.logger.info({ bulletin_id: bulletin.id, version: data.version, queued }, 'bulletin approved');
    await refreshPreview(ctx.api, db, ctx.chatId!, bulletin.id, ctx.logger, config);
    await acknowledge(ctx, startsAt ? approvedWaiting(whenText(romeTime(startsAt))) : approvedAnswer());
  });

  feature.callbackQuery(actionPattern('reject'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const actor = actorOf(ctx, deps);
    const bulletin = await checkRejectable(db, {
      ...actor,
      bulletinId: data.bulletinId,
      version: data.version,
    });
    const prompt = await ctx.reply(
      rejectPrompt({ bulletinId: bulletin.id, approverId: actor.userId, approverName: actor.name }),
      {
        parse_mode: 'HTML',
        reply_markup: { force_reply: true, selective: true, input_field_placeholder: 'Motivo del rifiuto' },
      },
    );
    await recordRejectPrompt(db, {
      bulletinId: bulletin.id,
      version: bulletin.version,
      userId: actor.userId,
      name: actor.name,
      promptMessageId: prompt.message_id,
    });
    await acknowledge(ctx, rejectAsked());
  });

  // The reply to "Scrivi il motivo...": recognised by the prompt's message id, kept in the register.
  feature.on('message', async (ctx, next) => {
    const replyTo = ctx.msg.reply_to_message;
    if (!replyTo || replyTo.from?.id !== ctx.me.id) return next();
    const prompt = await findRejectPrompt(db, replyTo.message_id);
    if (!prompt) return next();
    const actor = actorOf(ctx, deps);
    const reason = ctx.msg.text ?? ctx.msg.caption ?? '';
    const bulletin = await reject(db, { ...actor, ...prompt, reason });
    ctx.logger.info({ bulletin_id: bulletin.id, version: prompt.version }, 'bulletin rejected');
    await refreshPreview(ctx.api, db, ctx.chatId, bulletin.id, ctx.logger, config);
    const authorName = (await draftedBy(db, bulletin.id)) ?? (await memberName(ctx, bulletin.authorId));
    await ctx.reply(
      rejectedNotice({
        bulletinId: bulletin.id,
        authorId: bulletin.authorId,
        authorName,
        deciderName: actor.name,
        reason: bulletin.rejectReason ?? reason,
      }),
      {
        parse_mode: 'HTML',
        ...(bulletin.previewMessageId === null
          ? {}
          : {
              reply_parameters: { message_id: bulletin.previewMessageId, allow_sending_without_reply: true },
            }),
      },
    );
  });

  feature.callbackQuery(actionPattern('withdraw'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const bulletin = await withdraw(db, { ...actorOf(ctx, deps), bulletinId: data.bulletinId });
    ctx.logger.info({ bulletin_id: bulletin.id }, 'bulletin withdrawn');
    await refreshPreview(ctx.api, db, ctx.chatId!, bulletin.id, ctx.logger, config);
    await acknowledge(ctx, withdrawnAnswer());
  });

  return feature;
}

import type { BotError } from 'grammy';
import { DomainError } from '../core/errors.js';
import { answer, type BotContext } from './context.js';
import { refusal, unexpectedError } from './texts.js';

/**
 * The error boundary around every feature: a rule of the domain not met becomes a refusal in
 * Italian; anything else is logged and answered briefly. It never throws, so no update can stop
 * the bot.
 */
export async function handleUpdateError(error: BotError<BotContext>): Promise<void> {
  const { ctx } = error;
  const cause = error.error;
  const refused = cause instanceof DomainError;
  if (refused) ctx.logger.info({ code: cause.code }, 'request refused');
  else ctx.logger.error({ err: cause }, 'update failed');
  const text = refused ? refusal(cause.code) : unexpectedError();
  try {
    // A callback query may already have been answered before the failure; then this fails too.
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
    else if (ctx.chatId !== undefined) await answer(ctx, text);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not tell the user about the failure');
  }
}

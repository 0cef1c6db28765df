import type { MiddlewareFn } from 'grammy';
import type { BotContext } from './context.js';
import { otherChatRefusal } from './texts.js';

/**
 * Lets through only updates from a person in the staff group. Anything else changes nothing and
 * gets no answer, except a button pressed elsewhere, whose spinner is stopped with a short refusal.
 */
export function staffChatOnly(staffChatId: number): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.chatId === staffChatId && ctx.from !== undefined) {
      await next();
      return;
    }
    ctx.logger.debug({}, 'update outside the staff group ignored');
    if (ctx.callbackQuery) {
      await ctx
        .answerCallbackQuery({ text: otherChatRefusal() })
        .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer a callback from another chat'));
    }
  };
}

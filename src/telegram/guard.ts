import type { MiddlewareFn } from 'grammy';
import type { BotContext } from './context.js';
import type { StaffChat } from './staff-chat.js';
import { otherChatRefusal } from './texts.js';

/**
 * Lets through only updates from a person in the staff group. Anything else changes nothing and
 * gets no answer, except a button pressed elsewhere, whose spinner is stopped with a short refusal.
 * The bot leaves any other group it finds itself in (added by someone, or still there); a channel
 * that makes it administrator is channel-membership.ts's, which comes first.
 */
export function staffChatOnly(staffChat: StaffChat): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const staffChatId = staffChat.id;
    if (ctx.chatId === staffChatId && ctx.from !== undefined) {
      await next();
      return;
    }
    ctx.logger.debug({}, 'update outside the staff group ignored');
    const chat = ctx.chat;
    const stillThere = ctx.myChatMember
      ? ['member', 'administrator'].includes(ctx.myChatMember.new_chat_member.status)
      : true;
    if (chat && chat.type !== 'private' && chat.id !== staffChatId && stillThere) {
      ctx.logger.info(
        { chat_id: chat.id, chat_type: chat.type },
        'leaving a chat that is not the staff group',
      );
      await ctx.api
        .leaveChat(chat.id)
        .catch((err: unknown) =>
          ctx.logger.warn({ err }, 'could not leave a chat that is not the staff group'),
        );
    }
    if (ctx.callbackQuery) {
      await ctx
        .answerCallbackQuery({ text: otherChatRefusal() })
        .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer a callback from another chat'));
    }
  };
}

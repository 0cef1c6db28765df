import type { MiddlewareFn } from 'grammy';
import type { BotContext } from './context.js';
import type { StaffChat } from './staff-chat.js';
import { commandMenu, groupUpgraded } from './texts.js';

/**
 * Follows the staff group when Telegram upgrades it to a supergroup and gives it a new id: the old
 * chat says `migrate_to_chat_id`, the new one `migrate_from_chat_id`, in either order. The bot
 * keeps working in the new id for this run and tells the group which STAFF_CHAT_ID to set. Only
 * Telegram writes these service messages; a group that was never the staff group is not followed.
 */
export function followGroupUpgrade(staffChat: StaffChat): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const to = ctx.message?.migrate_to_chat_id;
    const from = ctx.message?.migrate_from_chat_id;
    const chatId = ctx.chatId;
    let newId: number | undefined;
    if (to !== undefined && (chatId === staffChat.id || to === staffChat.id)) newId = to;
    else if (from !== undefined && chatId !== undefined && (from === staffChat.id || chatId === staffChat.id))
      newId = chatId;
    if (newId === undefined) return next();
    if (!staffChat.follow(newId)) return;
    ctx.logger.warn(
      { old_chat_id: from ?? chatId, new_chat_id: newId },
      'the staff group became a supergroup: following its new id until STAFF_CHAT_ID is updated',
    );
    await ctx.api
      .sendMessage(newId, groupUpgraded(newId))
      .catch((err: unknown) => ctx.logger.error({ err }, 'could not tell the staff group its new id'));
    await ctx.api
      .setMyCommands(commandMenu(), { scope: { type: 'chat', chat_id: newId } })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not set the command menu'));
  };
}

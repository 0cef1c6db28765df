import type { MiddlewareFn } from 'grammy';
import type { ChatMember } from 'grammy/types';
import type { BotContext } from './context.js';
import type { StaffChat } from './staff-chat.js';
import { channelMembershipNotice } from './texts.js';

/** Whether a channel is the one TELEGRAM_CHANNEL_ID names (`-100…`, or `@name` for a public one). */
export function isConfiguredChannel(
  chat: { id: number; username?: string | undefined },
  channelId: string | undefined,
): boolean {
  if (!channelId) return false;
  if (/^-?\d+$/.test(channelId)) return Number(channelId) === chat.id;
  return (
    chat.username !== undefined && channelId.replace(/^@/, '').toLowerCase() === chat.username.toLowerCase()
  );
}

/** What the bot may do in a channel, from its membership there. */
export function channelRights(member: ChatMember): 'post' | 'admin_no_post' | 'none' {
  if (member.status === 'creator') return 'post';
  if (member.status === 'administrator') return member.can_post_messages ? 'post' : 'admin_no_post';
  return 'none';
}

/**
 * The bot made administrator of a Telegram channel, or its rights there changed: it stays (the
 * staff group guard leaves every other chat, which would undo the Comune's setup) and tells the
 * staff group what follows: the TELEGRAM_CHANNEL_ID to set, a missing "Pubblica messaggi" right,
 * or that bulletins stopped going to the configured channel. Nothing else is done in a channel.
 */
export function channelMembership(deps: {
  staffChat: StaffChat;
  channelId: string | undefined;
}): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const update = ctx.myChatMember;
    if (update?.chat.type !== 'channel') return next();
    const { chat } = update;
    const configured = isConfiguredChannel(chat, deps.channelId);
    const rights = channelRights(update.new_chat_member);
    ctx.logger.info({ chat_id: chat.id, configured, rights }, 'bot membership in a channel changed');
    const text = channelMembershipNotice({ title: chat.title, id: chat.id, configured, rights });
    if (!text) return;
    await ctx.api
      .sendMessage(deps.staffChat.id, text)
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not tell the staff group about a channel'));
  };
}

import type { Context, MiddlewareFn } from 'grammy';
import type { Config } from '../config.js';
import type { OutletName } from '../core/outlets.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { unknownPerson } from './texts.js';

export type BotContext = Context & { logger: Logger };

/**
 * What every feature needs from outside: the database, the configured admins, the configuration
 * (with the outlets a bulletin can go out through, WhatsApp 1:1 alone when unset).
 */
export type FeatureDeps = { db: Db; adminIds: readonly number[]; config: BotConfig };
export type BotConfig = Config & { outlets?: readonly OutletName[] };

/** A child logger per update; ids only, never the text people wrote. */
export function attachLogger(root: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.logger = root.child({ update_id: ctx.update.update_id, chat_id: ctx.chatId, user_id: ctx.from?.id });
    ctx.logger.debug({ kinds: Object.keys(ctx.update).filter((k) => k !== 'update_id') }, 'update received');
    await next();
  };
}

/** Answers in the chat, quoting the message that asked, so a busy group sees who was answered. */
export async function answer(ctx: BotContext, text: string): Promise<void> {
  const messageId = ctx.msg?.message_id;
  await ctx.reply(
    text,
    messageId === undefined
      ? {}
      : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } },
  );
}

/** The name staff see for a person: the first name, as Telegram shows it in the group. */
export function displayName(ctx: BotContext): string {
  return ctx.from?.first_name ?? unknownPerson();
}

import { type Api, Composer } from 'grammy';
import { requireRole } from '../core/staff.js';
import {
  markChannelReplied,
  requestChannel,
  setChannelReply,
  unlinkChannel,
  unrepliedChannelAnswers,
  whatsappChannelInfo,
} from '../core/whatsapp-channel.js';
import type { Db, Listener } from '../db/client.js';
import type { Logger } from '../logger.js';
import { parseChannelInvite } from '../whatsapp/newsletter.js';
import type { BotContext, FeatureDeps } from './context.js';
import { watchDatabase } from './db-watcher.js';
import {
  channelAnswer,
  channelChecking,
  channelCreating,
  channelInfo,
  channelNameMissing,
  channelNameTooLong,
  channelNotWithCloud,
  channelRefreshing,
  channelUnlinked,
  channelUsage,
  noChannel,
} from './texts.js';

export const CHANNEL_ANSWERS = 'banditore_channel_answers';

/** WhatsApp's limit for a Channel's name. */
const MAX_NAME = 100;

/** Replies quoting the command and returns the reply's id, which the bridge's answer edits. */
async function replyWithId(ctx: BotContext, text: string): Promise<number> {
  const messageId = ctx.msg?.message_id;
  const sent = await ctx.reply(
    text,
    messageId === undefined
      ? {}
      : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } },
  );
  return sent.message_id;
}

/**
 * `/canale` (amministratore): the Comune's WhatsApp Channel. crea / collega / (no argument) go to
 * the bridge, which holds the socket, through the database; the reply is edited with its answer.
 * scollega is the database's alone.
 */
export function channelFeature({ db, adminIds, config }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('canale', async (ctx) => {
    const actorId = ctx.from!.id;
    await requireRole(db, actorId, adminIds, 'amministratore');
    const [verb = '', ...rest] = ctx.match.trim().split(/\s+/);
    const argument = ctx.match.trim().slice(verb.length).trim();
    const chatId = ctx.chatId!;
    // Only a linked phone (Baileys) answers these requests: with the Cloud API none would be.
    if (config.waTransport === 'cloud' && verb.toLowerCase() !== 'scollega') {
      await replyWithId(ctx, channelNotWithCloud());
      return;
    }
    switch (verb.toLowerCase()) {
      case '': {
        const channel = await whatsappChannelInfo(db);
        if (!channel) {
          await replyWithId(ctx, noChannel());
          return;
        }
        const id = await requestChannel(db, { actorId, adminIds, kind: 'refresh' });
        const messageId = await replyWithId(ctx, `${channelInfo(channel)}\n${channelRefreshing()}`);
        await setChannelReply(db, { id, chatId, messageId });
        return;
      }
      case 'crea': {
        if (argument === '') return void (await replyWithId(ctx, channelNameMissing()));
        if (argument.length > MAX_NAME) return void (await replyWithId(ctx, channelNameTooLong(MAX_NAME)));
        const id = await requestChannel(db, { actorId, adminIds, kind: 'create', argument });
        ctx.logger.info('WhatsApp Channel creation requested');
        await setChannelReply(db, {
          id,
          chatId,
          messageId: await replyWithId(ctx, channelCreating(argument)),
        });
        return;
      }
      case 'collega': {
        const code = parseChannelInvite(rest.join(' '));
        const id = await requestChannel(db, { actorId, adminIds, kind: 'adopt', argument: code });
        ctx.logger.info('WhatsApp Channel adoption requested');
        await setChannelReply(db, { id, chatId, messageId: await replyWithId(ctx, channelChecking()) });
        return;
      }
      case 'scollega': {
        const name = await unlinkChannel(db, { actorId, adminIds });
        ctx.logger.info('WhatsApp Channel unset');
        await replyWithId(ctx, channelUnlinked(name));
        return;
      }
      default:
        await replyWithId(ctx, channelUsage());
    }
  });

  return feature;
}

/**
 * Edits the staff group's "/canale" replies once the bridge has answered; woken by the database,
 * with a slow poll as a safety net.
 */
export async function startChannelReplies(options: {
  db: Db;
  listen: Listener;
  api: Pick<Api, 'editMessageText'>;
  logger: Logger;
  pollIntervalMs?: number;
}) {
  const { db, api, logger } = options;
  async function work() {
    for (const answer of await unrepliedChannelAnswers(db)) {
      const text = channelAnswer(answer, await whatsappChannelInfo(db));
      await api.editMessageText(answer.chatId, answer.messageId, text).catch((err: unknown) => {
        // Deleted, or the same text: nothing more to say there.
        logger.warn({ err }, 'Channel reply not edited');
      });
      await markChannelReplied(db, answer.id);
    }
  }
  const watcher = await watchDatabase({
    listen: options.listen,
    channels: [CHANNEL_ANSWERS],
    pollIntervalMs: options.pollIntervalMs ?? 15_000,
    work,
    onError: (err) => logger.error({ err }, 'Channel replies not edited'),
  });
  return { stop: () => watcher.stop() };
}

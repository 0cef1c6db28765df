import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { MessageEntity } from 'grammy/types';
import type { Config } from '../config.js';
import type { BroadcastOutlet, OutgoingBulletin, OutletHealth, PublishResult } from '../core/outlets.js';
import type { Logger } from '../logger.js';

/** Telegram's limit for a caption; a longer text goes as its own message after the media. */
const MAX_CAPTION = 1024;

export type ChannelApi = Pick<
  Api,
  | 'sendMessage'
  | 'sendPhoto'
  | 'sendVideo'
  | 'sendDocument'
  | 'deleteMessage'
  | 'getChat'
  | 'getChatMember'
  | 'getMe'
>;

/** A Bot API refusal in no platform's words. */
export function channelFailure(err: unknown): Extract<PublishResult, { ok: false }> {
  if (err instanceof GrammyError) {
    const detail = `${err.error_code} ${err.description}`;
    const said = err.description.toLowerCase();
    if (err.error_code === 429) return { ok: false, failure: 'rate_limited', retryable: true, detail };
    if (err.error_code >= 500) return { ok: false, failure: 'unreachable', retryable: true, detail };
    if (said.includes('chat not found')) return { ok: false, failure: 'not_found', retryable: false, detail };
    if (
      err.error_code === 403 ||
      /not enough rights|rights to|chat_write_forbidden|not a member/.test(said)
    ) {
      return { ok: false, failure: 'not_allowed', retryable: false, detail };
    }
    return { ok: false, failure: 'rejected', retryable: false, detail };
  }
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof HttpError) return { ok: false, failure: 'unreachable', retryable: true, detail };
  return { ok: false, failure: 'unknown', retryable: true, detail };
}

/** The post's text and its formatting, with the archive link after it when set. */
export function channelPost(bulletin: OutgoingBulletin): { text: string; entities: MessageEntity[] } {
  const { text, entities } = bulletin.body;
  return {
    text: bulletin.link ? `${text}\n\n${bulletin.link}` : text,
    entities: entities as MessageEntity[],
  };
}

/**
 * The Telegram channel (TELEGRAM_CHANNEL_ID, where the bot is an administrator allowed to post):
 * each bulletin posted with its formatting (entities, never parse_mode) and its media, sent again
 * by the Telegram file id it was drafted with (no upload). A text longer than a caption follows
 * the media as its own message. Ritira deletes every message of the post.
 */
export function createTelegramChannelOutlet(deps: {
  api: ChannelApi;
  channelId: string;
  /** The bot's own id; asked of Telegram (getMe) when not given. */
  botId?: number;
  logger: Logger;
}): BroadcastOutlet {
  const { api, logger } = deps;
  const chat = /^-?\d+$/.test(deps.channelId) ? Number(deps.channelId) : deps.channelId;

  async function sendMedia(
    media: NonNullable<OutgoingBulletin['media']>,
    caption?: { text: string; entities: MessageEntity[] },
  ) {
    const file = media.telegramFileId ?? new InputFile(await media.bytes(), media.fileName ?? undefined);
    const options = caption ? { caption: caption.text, caption_entities: caption.entities } : {};
    if (media.kind === 'image') return api.sendPhoto(chat, file, options);
    if (media.kind === 'video') return api.sendVideo(chat, file, options);
    return api.sendDocument(chat, file, options);
  }

  async function publish(bulletin: OutgoingBulletin): Promise<PublishResult> {
    const post = channelPost(bulletin);
    const ids: number[] = [];
    try {
      if (bulletin.media && post.text.length <= MAX_CAPTION) {
        ids.push((await sendMedia(bulletin.media, post)).message_id);
      } else {
        if (bulletin.media) ids.push((await sendMedia(bulletin.media)).message_id);
        const sent = await api.sendMessage(chat, post.text, {
          entities: post.entities,
          link_preview_options: { is_disabled: !bulletin.link },
        });
        ids.push(sent.message_id);
      }
      return { ok: true, externalId: ids.join(',') };
    } catch (err) {
      // Half a post (the media without its text) is taken back, so a retry posts it whole once.
      for (const id of ids) await api.deleteMessage(chat, id).catch(() => {});
      const failure = channelFailure(err);
      logger.warn({ failure: failure.failure, detail: failure.detail }, 'Telegram channel post failed');
      return failure;
    }
  }

  async function health(): Promise<OutletHealth> {
    try {
      const channel = await api.getChat(chat);
      const name = 'title' in channel && channel.title ? channel.title : String(deps.channelId);
      if (channel.type !== 'channel') return { ok: false, detail: `${name}: non è un canale` };
      const botId = deps.botId ?? (await api.getMe()).id;
      const member = await api.getChatMember(chat, botId);
      if (member.status === 'creator') return { ok: true, detail: `${name}: pronto` };
      if (member.status === 'administrator' && member.can_post_messages) {
        return { ok: true, detail: `${name}: pronto` };
      }
      return {
        ok: false,
        detail: `${name}: il bot non può pubblicare (rendilo amministratore con il permesso "Pubblica messaggi")`,
      };
    } catch (err) {
      const failure = channelFailure(err);
      if (failure.failure === 'unreachable') return { ok: false, detail: 'Telegram non raggiungibile' };
      if (failure.failure === 'not_found' || failure.failure === 'not_allowed') {
        return {
          ok: false,
          detail: `${deps.channelId}: canale non trovato o bot non aggiunto come amministratore`,
        };
      }
      return { ok: false, detail: `${deps.channelId}: ${failure.detail}` };
    }
  }

  return {
    name: 'telegram_channel',
    capabilities: { revoke: true, media: true, paced: false },
    publish,
    async revoke(externalId) {
      let all = true;
      for (const id of externalId.split(',').map(Number).filter(Number.isInteger)) {
        try {
          await api.deleteMessage(chat, id);
        } catch (err) {
          // Gone already is what Ritira wanted; older than 48 hours Telegram refuses.
          if (err instanceof GrammyError && /message to delete not found/i.test(err.description)) continue;
          logger.warn({ err }, 'Telegram channel post not deleted');
          all = false;
        }
      }
      return all;
    },
    health,
  };
}

/** The Telegram channel outlet from the configuration (its own Bot API client), when one is set. */
export function telegramChannelOutletFrom(config: Config, logger: Logger): BroadcastOutlet | undefined {
  if (!config.telegramChannelId || !config.telegram) return undefined;
  const api = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot });
  return createTelegramChannelOutlet({ api, channelId: config.telegramChannelId, logger });
}

/**
 * At start-up: a channel the bot cannot post to is one clear warning, never a failure (Telegram
 * may be unreachable too).
 */
export async function checkTelegramChannel(
  outlet: BroadcastOutlet | undefined,
  logger: Logger,
): Promise<void> {
  if (!outlet) return;
  const health = await outlet.health().catch((err: unknown) => ({ ok: false, detail: String(err) }));
  if (health.ok) logger.info('Telegram channel ready');
  else
    logger.warn(
      { detail: health.detail },
      'the bot cannot post to TELEGRAM_CHANNEL_ID; bulletins will not go there',
    );
}

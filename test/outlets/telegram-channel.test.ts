import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { checkTelegramChannel, createTelegramChannelOutlet } from '../../src/telegram/channel-outlet.js';
import { botInfo, recordBotApi } from '../helpers/bot-api.js';
import { outgoingBulletin } from '../helpers/outgoing.js';
import { captureLogger } from '../telegram/support.js';

const CHANNEL = '-1001555000111';
const LINK = 'https://notizie.comune.prova.it/bollettini/7';

function channelOutlet(api = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ')) {
  const recorded = recordBotApi(api);
  const { logger, lines } = captureLogger();
  const outlet = createTelegramChannelOutlet({ api, channelId: CHANNEL, botId: botInfo.id, logger });
  return { outlet, api: recorded, lines };
}

const admin = (rights: { can_post_messages: boolean }) => ({
  status: 'administrator',
  user: botInfo,
  can_be_edited: false,
  is_anonymous: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: false,
  can_restrict_members: false,
  can_promote_members: false,
  can_change_info: false,
  can_invite_users: true,
  can_post_stories: false,
  can_edit_stories: false,
  can_delete_stories: false,
  can_edit_messages: true,
  ...rights,
});

describe('Telegram channel outlet', () => {
  it('posts the text with its entities (no parse_mode) and the archive link', async () => {
    const { outlet, api } = channelOutlet();
    const result = await outlet.publish(outgoingBulletin({ link: LINK }));

    const [call] = api.calls('sendMessage');
    expect(call).toMatchObject({
      chat_id: Number(CHANNEL),
      text: `Strada chiusa in via Roma domani.\n\n${LINK}`,
      entities: [
        { type: 'bold', offset: 0, length: 13 },
        { type: 'underline', offset: 17, length: 8 },
      ],
    });
    expect(call).not.toHaveProperty('parse_mode');
    expect(result).toEqual({
      ok: true,
      externalId: String(api.results<{ message_id: number }>('sendMessage')[0]!.message_id),
    });
  });

  it.each([
    ['image', 'sendPhoto', 'photo'],
    ['video', 'sendVideo', 'video'],
    ['document', 'sendDocument', 'document'],
  ] as const)(
    'sends the %s again by its Telegram file id, with the text as caption',
    async (kind, method, field) => {
      const { outlet, api } = channelOutlet();
      const result = await outlet.publish(
        outgoingBulletin({ media: { kind, telegramFileId: 'AgACAgQAAxkBAAIB' } }),
      );

      expect(api.calls(method)).toEqual([
        expect.objectContaining({
          chat_id: Number(CHANNEL),
          [field]: 'AgACAgQAAxkBAAIB',
          caption: 'Strada chiusa in via Roma domani.',
          caption_entities: expect.arrayContaining([{ type: 'bold', offset: 0, length: 13 }]),
        }),
      ]);
      expect(api.calls('sendMessage')).toEqual([]);
      expect(result).toMatchObject({ ok: true });
    },
  );

  it('sends a text longer than a caption after the media, and Ritira deletes both', async () => {
    const { outlet, api } = channelOutlet();
    const text = `Avviso. ${'Lavori in corso. '.repeat(80)}`;
    const result = await outlet.publish(
      outgoingBulletin({
        body: { text, entities: [{ type: 'bold', offset: 0, length: 6 }] },
        media: { kind: 'image' },
      }),
    );

    expect(api.calls('sendPhoto')[0]).not.toHaveProperty('caption');
    expect(api.calls('sendMessage')[0]).toMatchObject({
      text,
      entities: [{ type: 'bold', offset: 0, length: 6 }],
    });
    if (!result.ok) throw new Error('not published');
    const ids = result.externalId.split(',').map(Number);
    expect(ids).toHaveLength(2);

    expect(await outlet.revoke!(result.externalId)).toBe(true);
    expect(api.calls('deleteMessage')).toEqual(
      ids.map((id) => ({ chat_id: Number(CHANNEL), message_id: id })),
    );
  });

  it('takes the media back when its text could not follow, so a retry posts the whole once', async () => {
    const { outlet, api } = channelOutlet();
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 5' });
    const result = await outlet.publish(
      outgoingBulletin({ body: { text: 'x'.repeat(2000), entities: [] }, media: { kind: 'image' } }),
    );

    expect(result).toMatchObject({ ok: false, failure: 'rate_limited', retryable: true });
    const photoId = api.results<{ message_id: number }>('sendPhoto')[0]!.message_id;
    expect(api.calls('deleteMessage')).toEqual([{ chat_id: Number(CHANNEL), message_id: photoId }]);
  });

  it.each([
    [403, 'Forbidden: bot is not a member of the channel chat', 'not_allowed', false],
    [400, 'Bad Request: not enough rights to send text messages to the chat', 'not_allowed', false],
    [400, 'Bad Request: chat not found', 'not_found', false],
    [429, 'Too Many Requests: retry after 30', 'rate_limited', true],
    [400, 'Bad Request: message is too long', 'rejected', false],
  ])('maps %i "%s" to %s', async (code, description, failure, retryable) => {
    const { outlet, api } = channelOutlet();
    api.failNext('sendMessage', { error_code: code, description });
    expect(await outlet.publish(outgoingBulletin())).toMatchObject({ ok: false, failure, retryable });
  });

  it('says unreachable, to retry, when Telegram cannot be reached', async () => {
    const api = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', { apiRoot: 'http://127.0.0.1:9' });
    const { logger } = captureLogger();
    const outlet = createTelegramChannelOutlet({ api, channelId: CHANNEL, botId: botInfo.id, logger });
    expect(await outlet.publish(outgoingBulletin())).toMatchObject({
      ok: false,
      failure: 'unreachable',
      retryable: true,
    });
    expect(await outlet.health()).toEqual({ ok: false, detail: 'Telegram non raggiungibile' });
  });

  it('counts a post already gone as deleted, and says when Telegram refuses to delete one', async () => {
    const { outlet, api } = channelOutlet();
    api.failNext('deleteMessage', {
      error_code: 400,
      description: 'Bad Request: message to delete not found',
    });
    expect(await outlet.revoke!('1001')).toBe(true);
    api.failNext('deleteMessage', { error_code: 400, description: "Bad Request: message can't be deleted" });
    expect(await outlet.revoke!('1002')).toBe(false);
  });

  it('is healthy only where the bot is an administrator allowed to post', async () => {
    const { outlet, api } = channelOutlet();
    api.answerNext('getChatMember', admin({ can_post_messages: true }));
    expect(await outlet.health()).toEqual({ ok: true, detail: 'Notizie del Comune: pronto' });
    expect(api.calls('getChatMember')).toEqual([{ chat_id: Number(CHANNEL), user_id: botInfo.id }]);

    api.answerNext('getChatMember', admin({ can_post_messages: false }));
    expect(await outlet.health()).toMatchObject({
      ok: false,
      detail: expect.stringContaining('Pubblica messaggi'),
    });

    api.failNext('getChat', { error_code: 400, description: 'Bad Request: chat not found' });
    expect(await outlet.health()).toMatchObject({
      ok: false,
      detail: expect.stringContaining('non trovato'),
    });
  });

  it('warns once at start-up when the bot cannot post there, and never throws', async () => {
    const { outlet, api } = channelOutlet();
    api.answerNext('getChatMember', { status: 'member', user: botInfo });
    const start = captureLogger();
    await checkTelegramChannel(outlet, start.logger);
    const warnings = start.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: expect.stringContaining('TELEGRAM_CHANNEL_ID') });

    const offline = createTelegramChannelOutlet({
      api: new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', { apiRoot: 'http://127.0.0.1:9' }),
      channelId: CHANNEL,
      logger: captureLogger().logger,
    });
    const quiet = captureLogger();
    await expect(checkTelegramChannel(offline, quiet.logger)).resolves.toBeUndefined();
    expect(quiet.lines.filter((l) => l.level === 40)).toHaveLength(1);
  });
});

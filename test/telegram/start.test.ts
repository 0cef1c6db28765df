import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { postStaffNotice } from '../../src/core/notices.js';
import { type RunningBot, startBot } from '../../src/telegram/bot.js';
import { type BotApiServer, messageUpdate, startBotApiServer } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, captureLogger, STAFF_CHAT, testConfig } from './support.js';

describeWithDatabase('startBot', (ctx) => {
  let telegram: BotApiServer;
  let running: RunningBot | undefined;
  beforeEach(async () => {
    telegram = await startBotApiServer();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await telegram.close();
  });

  const logs = captureLogger();
  const start = () =>
    startBot({
      config: testConfig({ TELEGRAM_API_ROOT: telegram.apiRoot }),
      database: ctx.database,
      logger: logs.logger,
    });

  it('sets the staff command menu, answers commands, posts notices, and stops cleanly', async () => {
    running = await start();
    await vi.waitFor(() => expect(running?.state()).toBe('running'));
    expect(telegram.calls('setMyCommands')).toEqual([
      expect.objectContaining({
        scope: { type: 'chat', chat_id: STAFF_CHAT },
        commands: expect.arrayContaining([expect.objectContaining({ command: 'bozza' })]),
      }),
    ]);

    const update = messageUpdate({ chatId: STAFF_CHAT, from: admin, text: '/iscritti' });
    telegram.push(update);
    await telegram.waitForCall('sendPhoto');
    await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 1, sent: 0, failed: 0 });
    await telegram.waitForCall('sendMessage');
    await running.stop();

    expect(running.state()).toBe('stopped');
    expect(telegram.calls('sendPhoto')).toEqual([
      expect.objectContaining({
        caption: expect.stringMatching(/^Iscritti attivi: 0\.\n/),
        photo: expect.any(String),
      }),
    ]);
    expect(telegram.calls('sendMessage').map((p) => p.text)).toEqual([
      'Bollettino n. 1 inviato: 0 messaggi partiti, 0 non riusciti.',
    ]);
    // Telegram will not send the update again after a restart.
    expect(telegram.calls('getUpdates').some((p) => p.offset === update.update_id + 1)).toBe(true);
  });

  it('starts even when Telegram refuses the command menu', async () => {
    telegram.failNext('setMyCommands', { error_code: 400, description: 'Bad Request: chat not found' });

    running = await start();

    await vi.waitFor(() => expect(running?.state()).toBe('running'));
  });

  it('reports stopped when Telegram ends the polling (another poller has the token)', async () => {
    telegram.failNext('getUpdates', {
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates',
    });

    running = await start();

    await vi.waitFor(() => expect(running?.state()).toBe('stopped'));
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'telegram polling stopped', level: 50 }),
    );
  });

  it('logs each failed poll while Telegram is down and answers again as soon as it is back', async () => {
    running = await start();
    await vi.waitFor(() => expect(running?.state()).toBe('running'));
    await telegram.waitForCall('getUpdates');
    const port = Number(new URL(telegram.apiRoot).port);

    await telegram.close();
    await vi.waitFor(() =>
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ msg: 'fetching updates failed', level: 40 }),
      ),
    );
    telegram = await startBotApiServer({ port });
    telegram.push(messageUpdate({ chatId: STAFF_CHAT, from: admin, text: '/aiuto' }));

    await vi.waitFor(() => expect(telegram.calls('sendMessage')).toHaveLength(1), { timeout: 10_000 });
    expect(running.state()).toBe('running');
  }, 30_000);

  it('stops by itself, saying why, when Telegram rejects the token', async () => {
    telegram.failNext('getMe', { error_code: 401, description: 'Unauthorized' });

    running = await start();

    await vi.waitFor(() => expect(running?.state()).toBe('stopped'));
    expect(running.failure()).toBe('401 Unauthorized');
    expect(telegram.calls('getUpdates')).toEqual([]);
  });

  it('returns at once while Telegram is unreachable, and comes up when it answers', async () => {
    const port = Number(new URL(telegram.apiRoot).port);
    await telegram.close();

    running = await start();

    expect(running.state()).toBe('starting');
    await vi.waitFor(() =>
      expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'telegram unreachable; retrying' })),
    );
    telegram = await startBotApiServer({ port });
    await vi.waitFor(() => expect(running?.state()).toBe('running'), { timeout: 10_000 });
  }, 30_000);
});

import { Api } from 'grammy';
import { expect, it } from 'vitest';
import { postStaffNotice } from '../../src/core/notices.js';
import { staffNotices } from '../../src/db/schema.js';
import { type NoticePoster, startNoticePoster } from '../../src/telegram/notice-poster.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { recordBotApi } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { captureLogger, STAFF_CHAT } from './support.js';

describeWithDatabase('the staff notice poster', (ctx) => {
  async function start() {
    const telegram = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const api = recordBotApi(telegram);
    const { logger, lines } = captureLogger();
    // The safety poll is far beyond the test timeout: only the database's notification can wake it.
    const poster: NoticePoster = await startNoticePoster({
      db: ctx.db,
      listen: ctx.database.listen,
      api: telegram,
      staffChat: createStaffChat(STAFF_CHAT),
      logger,
      pollIntervalMs: 10 * 60_000,
    });
    return { api, lines, poster };
  }

  const unposted = async () => (await ctx.db.select().from(staffNotices)).filter((n) => n.postedAt === null);

  it('posts a bulletin_sent notice to the staff group once, when the bridge writes it', async () => {
    const { api, poster } = await start();
    try {
      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 3, sent: 120, failed: 2 });
      await api.waitForCall('sendMessage');
    } finally {
      await poster.stop();
    }

    expect(api.calls('sendMessage')).toEqual([
      expect.objectContaining({
        chat_id: STAFF_CHAT,
        text: 'Bollettino n. 3 inviato: 120 messaggi partiti, 2 non riusciti.',
      }),
    ]);
    expect(await unposted()).toEqual([]);
  });

  it('posts each of many notices written at once exactly once', async () => {
    const { api, poster } = await start();
    try {
      await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: n, sent: n, failed: 0 }),
        ),
      );
      await api.waitForCall('sendMessage', 5);
    } finally {
      await poster.stop();
    }

    const texts = api.calls('sendMessage').map((p) => String(p.text));
    expect(texts).toHaveLength(5);
    expect(new Set(texts).size).toBe(5);
    expect(await unposted()).toEqual([]);
  });

  it('posts what was waiting at start, and keeps a notice Telegram refused for the next wake-up', async () => {
    await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 1, sent: 1, failed: 0 });
    const { api, lines, poster } = await start();
    try {
      await api.waitForCall('sendMessage');
      api.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was kicked' });
      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 2, sent: 0, failed: 1 });
      await api.waitForCall('sendMessage', 2);
      expect((await unposted()).map((n) => n.payload)).toEqual([expect.objectContaining({ bulletinId: 2 })]);

      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 3, sent: 2, failed: 0 });
      await api.waitForCall('sendMessage', 4);
    } finally {
      await poster.stop();
    }

    expect(api.calls('sendMessage').map((p) => p.text)).toEqual([
      'Bollettino n. 1 inviato: 1 messaggio partito, 0 non riusciti.',
      'Bollettino n. 2 inviato: 0 messaggi partiti, 1 non riuscito.',
      'Bollettino n. 2 inviato: 0 messaggi partiti, 1 non riuscito.',
      'Bollettino n. 3 inviato: 2 messaggi partiti, 0 non riusciti.',
    ]);
    expect(await unposted()).toEqual([]);
    expect(lines.some((line) => line.msg === 'posting staff notices failed' && line.err)).toBe(true);
  });

  it('skips a notice Telegram refuses three times, so the later ones are posted', async () => {
    await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 1, sent: 1, failed: 0 });
    const { api, lines, poster } = await start();
    try {
      for (let i = 0; i < 3; i++)
        api.failNext('sendMessage', { error_code: 400, description: 'Bad Request: message is too long' });
      await api.waitForCall('sendMessage');
      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 2, sent: 2, failed: 0 });
      await api.waitForCall('sendMessage', 2);
      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 3, sent: 3, failed: 0 });
      await api.waitForCall('sendMessage', 5);
    } finally {
      await poster.stop();
    }

    expect(api.calls('sendMessage').map((p) => p.text)).toEqual([
      'Bollettino n. 1 inviato: 1 messaggio partito, 0 non riusciti.',
      'Bollettino n. 1 inviato: 1 messaggio partito, 0 non riusciti.',
      'Bollettino n. 1 inviato: 1 messaggio partito, 0 non riusciti.',
      'Bollettino n. 2 inviato: 2 messaggi partiti, 0 non riusciti.',
      'Bollettino n. 3 inviato: 3 messaggi partiti, 0 non riusciti.',
    ]);
    const rows = await ctx.db.select().from(staffNotices).orderBy(staffNotices.id);
    expect(rows.map((n) => [n.attempts, n.postedAt !== null, n.skippedAt !== null])).toEqual([
      [3, false, true],
      [0, true, false],
      [0, true, false],
    ]);
    expect(lines.filter((line) => line.msg === 'staff notice refused by Telegram again: skipped')).toEqual([
      expect.objectContaining({ notice_id: rows[0]!.id, error_code: 400 }),
    ]);
  });

  it('never skips a notice that failed because Telegram was down, however many times', async () => {
    await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 1, sent: 1, failed: 0 });
    const { api, poster } = await start();
    try {
      for (let i = 0; i < 4; i++)
        api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
      for (let n = 2; n <= 5; n++) {
        await api.waitForCall('sendMessage', n - 1);
        await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: n, sent: n, failed: 0 });
      }
      await api.waitForCall('sendMessage', 9);
    } finally {
      await poster.stop();
    }

    expect(api.calls('sendMessage').map((p) => String(p.text).slice(0, 15))).toEqual([
      ...Array(5).fill('Bollettino n. 1'),
      'Bollettino n. 2',
      'Bollettino n. 3',
      'Bollettino n. 4',
      'Bollettino n. 5',
    ]);
    expect(await unposted()).toEqual([]);
  });
});

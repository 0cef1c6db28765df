import type { Message, Update, User } from 'grammy/types';
import { expect, it } from 'vitest';
import { postStaffNotice } from '../../src/core/notices.js';
import { bulletins } from '../../src/db/schema.js';
import { createBot } from '../../src/telegram/bot.js';
import { startNoticePoster } from '../../src/telegram/notice-poster.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { botInfo, recordBotApi } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, captureLogger, createTestBot, OTHER_GROUP, STAFF_CHAT, testConfig } from './support.js';

const SUPERGROUP = -1005550001111;

let nextUpdateId = 90_000;
let nextMessageId = 90_000;

/** The service message Telegram writes in a chat when a group becomes a supergroup. */
function migration(chatId: number, from: User, move: { to: number } | { from: number }): Update {
  const message = {
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat:
      'to' in move
        ? { id: chatId, type: 'group', title: 'Staff' }
        : { id: chatId, type: 'supergroup', title: 'Staff' },
    from,
    ...('to' in move ? { migrate_to_chat_id: move.to } : { migrate_from_chat_id: move.from }),
  } as Message;
  return { update_id: nextUpdateId++, message: message as Update['message'] };
}

const told = `Questo gruppo è diventato un supergruppo e Telegram gli ha dato un nuovo id: ${SUPERGROUP}. Continuo a lavorare qui fino al prossimo riavvio; un amministratore imposti STAFF_CHAT_ID=${SUPERGROUP} nella configurazione, altrimenti al riavvio il bot non risponderà più in questo gruppo.`;

describeWithDatabase('a staff group upgraded to a supergroup', (ctx) => {
  it.each([
    ['migrate_to first', 'to'],
    ['migrate_from first', 'from'],
  ] as const)(
    'is followed (%s): told its new id once, never left, and commands there answered',
    async (_, first) => {
      const t = createTestBot(ctx.db);
      const to = migration(STAFF_CHAT, admin, { to: SUPERGROUP });
      const from = migration(SUPERGROUP, admin, { from: STAFF_CHAT });

      for (const update of first === 'to' ? [to, from] : [from, to]) await t.bot.handleUpdate(update);
      await t.say(admin, '/bozza Avviso dal supergruppo', { chatId: SUPERGROUP });

      expect(t.api.calls('leaveChat')).toEqual([]);
      const [notice, preview] = t.api.calls('sendMessage');
      expect(notice).toMatchObject({ chat_id: SUPERGROUP, text: told });
      expect(preview).toMatchObject({ chat_id: SUPERGROUP });
      expect(String(preview?.text)).toMatch(/^Bollettino n\. 1, versione 1: da approvare\./);
      expect(t.api.calls('sendMessage')).toHaveLength(2);
      expect(t.api.calls('setMyCommands')).toEqual([
        expect.objectContaining({ scope: { type: 'chat', chat_id: SUPERGROUP } }),
      ]);
      expect(t.lines.some((l) => l.new_chat_id === SUPERGROUP && l.level === 40)).toBe(true);
      expect(await ctx.db.select().from(bulletins)).toHaveLength(1);
    },
  );

  it('posts the staff notices in the new supergroup', async () => {
    const { logger } = captureLogger();
    const staffChat = createStaffChat(STAFF_CHAT);
    const bot = createBot({ config: testConfig(), db: ctx.db, logger, botInfo, staffChat });
    const api = recordBotApi(bot.api);
    const poster = await startNoticePoster({
      db: ctx.db,
      listen: ctx.database.listen,
      api: bot.api,
      staffChat,
      logger,
      pollIntervalMs: 10 * 60_000,
    });
    try {
      await bot.handleUpdate(migration(STAFF_CHAT, admin, { to: SUPERGROUP }));
      await postStaffNotice(ctx.db, { kind: 'bulletin_sent', bulletinId: 1, sent: 3, failed: 0 });
      await api.waitForCall('sendMessage', 2);
    } finally {
      await poster.stop();
    }

    expect(api.calls('sendMessage').map((c) => c.chat_id)).toEqual([SUPERGROUP, SUPERGROUP]);
  });

  it('does not follow an upgrade of another group, which is left', async () => {
    const t = createTestBot(ctx.db);

    await t.bot.handleUpdate(migration(OTHER_GROUP, admin, { to: SUPERGROUP }));
    await t.bot.handleUpdate(migration(SUPERGROUP, admin, { from: OTHER_GROUP }));
    await t.say(admin, '/bozza Avviso', { chatId: SUPERGROUP });

    expect(t.api.calls('sendMessage')).toEqual([]);
    expect(t.api.calls('leaveChat').map((c) => c.chat_id)).toContain(SUPERGROUP);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });
});

import { DisconnectReason } from '@whiskeysockets/baileys';
import { Api } from 'grammy';
import type { Message, Update } from 'grammy/types';
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { auditEntries, auditRegister } from '../../src/core/audit.js';
import { setRole } from '../../src/core/staff.js';
import { type NoticePoster, startNoticePoster } from '../../src/telegram/notice-poster.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { callbackUpdate, recordBotApi } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';
import type { StandInSocket } from '../helpers/wa-socket.js';
import { admin, approvatore, createTestBot, STAFF_CHAT } from '../telegram/support.js';

const COMUNE = '390550000000';
const STRANGER = '393339999999';

describeWithDatabase('linking WhatsApp to another number', (ctx) => {
  const wa = bridgeHarness(ctx);

  /** The staff group's notice poster on a recorded Bot API; stopped by the caller. */
  async function noticePoster() {
    const telegram = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const api = recordBotApi(telegram);
    const poster: NoticePoster = await startNoticePoster({
      db: ctx.db,
      listen: ctx.database.listen,
      api: telegram,
      staffChat: createStaffChat(STAFF_CHAT),
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 10 * 60_000,
    });
    return { api, poster };
  }

  /** Links the Comune's number by QR, then WhatsApp logs it out and a phone scans the new QR. */
  async function relinkedTo(userId: string): Promise<StandInSocket> {
    const { socket } = await wa.start();
    socket.update({ connection: 'connecting', qr: '2@first,qr' });
    socket.open(`${COMUNE}:1@s.whatsapp.net`);
    await vi.waitFor(async () =>
      expect((await auditEntries(ctx.db)).map((a) => a.action)).toContain('wa_link'),
    );
    socket.close(DisconnectReason.loggedOut);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    const next = wa.factory.latest();
    next.update({ connection: 'connecting', qr: '2@second,qr' });
    next.open(userId);
    return next;
  }

  const bulletinSends = (socket: StandInSocket) => socket.sent.filter((m) => m.message);

  it('sends nothing from a new number until an amministratore confirms it with the button naming it', async () => {
    await seedSubscribers(ctx.db, 3);
    const { api, poster } = await noticePoster();
    try {
      const socket = await relinkedTo(`${STRANGER}:4@s.whatsapp.net`);
      await approvedBulletin(ctx.db, 'Raccolta rifiuti sospesa');

      // The group is asked, with one button that names the new number.
      await vi.waitFor(() =>
        expect(
          api.calls('sendMessage').some((c) => String(c.text).includes('diverso da quello di prima')),
        ).toBe(true),
      );
      const index = api.calls('sendMessage').findIndex((c) => String(c.text).includes('diverso'));
      const asked = api.calls('sendMessage')[index]!;
      expect(asked.text).toContain(`+${STRANGER}`);
      expect(asked.text).toContain(`+${COMUNE}`);
      const button = (asked.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] })
        .inline_keyboard[0]![0]!;
      expect(button.text).toBe(`Conferma il numero +${STRANGER}`);
      const notice = api.results<Message>('sendMessage')[index]!;

      // An approvatore can neither confirm it nor get round it with /riprendi.
      await setRole(ctx.db, {
        actorId: admin.id,
        targetId: approvatore.id,
        role: 'approvatore',
        adminIds: [admin.id],
      });
      const t = createTestBot(ctx.db);
      await t.bot.handleUpdate(
        callbackUpdate({ from: approvatore, data: button.callback_data, message: notice }) as Update,
      );
      expect(t.api.calls('answerCallbackQuery').at(-1)).toMatchObject({
        text: 'Il tuo ruolo non lo consente.',
      });
      await t.say(approvatore, '/riprendi');
      expect(t.sent().at(-1)).toContain('un amministratore lo conferma');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bulletinSends(socket)).toHaveLength(0);

      // The amministratore confirms: the bulletin goes out.
      await t.bot.handleUpdate(
        callbackUpdate({ from: admin, data: button.callback_data, message: notice }) as Update,
      );
      await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(3), { timeout: 5_000 });
      expect(t.sent().at(-1)).toBe(`Numero +${STRANGER} confermato: gli invii possono partire.`);

      const register = (await auditRegister(ctx.db))
        .filter((a) => a.action.startsWith('wa_'))
        .map((a) => ({ actorId: a.actorId, action: a.action, detail: a.detail }));
      expect(register).toEqual([
        { actorId: null, action: 'wa_link', detail: { number: `${COMUNE}@s.whatsapp.net`, confirmed: true } },
        { actorId: null, action: 'wa_unlink', detail: { number: `${COMUNE}@s.whatsapp.net` } },
        {
          actorId: null,
          action: 'wa_link',
          detail: {
            number: `${STRANGER}@s.whatsapp.net`,
            previous: `${COMUNE}@s.whatsapp.net`,
            confirmed: false,
          },
        },
        { actorId: admin.id, action: 'wa_link_confirm', detail: { number: `${STRANGER}@s.whatsapp.net` } },
      ]);
    } finally {
      await poster.stop();
    }
  });

  it('sends again without asking when the number linked before comes back', async () => {
    await seedSubscribers(ctx.db, 2);
    const socket = await relinkedTo(`${COMUNE}:7@s.whatsapp.net`);
    await approvedBulletin(ctx.db, 'Scuole aperte');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(2), { timeout: 5_000 });
    expect(await wa.noticeKinds()).not.toContain('wa_new_number');
  });

  it('refuses a confirmation for a number that is no longer the one waiting', async () => {
    await relinkedTo(`${STRANGER}:4@s.whatsapp.net`);
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_new_number'));
    const t = createTestBot(ctx.db);
    const message = { message_id: 5, date: 0, chat: { id: STAFF_CHAT, type: 'supergroup', title: 'Staff' } };
    await t.bot.handleUpdate(
      callbackUpdate({ from: admin, data: 'linkok:0::393331111111', message: message as Message }) as Update,
    );
    expect(t.api.calls('answerCallbackQuery').at(-1)).toMatchObject({
      text: expect.stringContaining('non è più in attesa di conferma'),
    });
  });
});

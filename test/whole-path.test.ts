import type { Message } from 'grammy/types';
import { pino } from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { startNoticePoster } from '../src/telegram/notice-poster.js';
import { createStaffChat } from '../src/telegram/staff-chat.js';
import type { Bridge } from '../src/whatsapp/bridge.js';
import { callbackUpdate } from './helpers/bot-api.js';
import { startBridgeWithEngine } from './helpers/bridge.js';
import { describeWithDatabase } from './helpers/db.js';
import { incomingText, standInFactory } from './helpers/wa-socket.js';
import { admin, approvatore, createTestBot, redattore, STAFF_CHAT, testConfig } from './telegram/support.js';

const alice = '393331000001@s.whatsapp.net';
const bruno = '555000111222@lid';
const carla = '393331000003@s.whatsapp.net';

describeWithDatabase('the whole path, Telegram to WhatsApp', (ctx) => {
  let bridge: Bridge | undefined;
  afterEach(async () => {
    await bridge?.stop();
  });

  it('delivers an approved bulletin once to each subscriber and not to one who cancelled', async () => {
    const config = testConfig({ SEND_RATE_PER_MINUTE: '60', COMUNE_NAME: 'Comune di Greve in Chianti' });
    const factory = standInFactory();
    bridge = await startBridgeWithEngine({
      config: { ...config, sendPacing: 'off' },
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      makeSocket: factory.makeSocket,
    });
    const wa = factory.latest();
    wa.open();
    wa.receive([
      incomingText({ from: alice, text: 'Iscrizione' }),
      incomingText({ from: bruno, text: 'iscrizione.' }),
      incomingText({ from: carla, text: 'ISCRIZIONE' }),
    ]);
    wa.receive([incomingText({ from: carla, text: 'Cancella' })]);
    await vi.waitFor(() => expect(wa.sent.filter((m) => m.jid === carla)).toHaveLength(2));

    const staff = createTestBot(ctx.db);
    await staff.say(admin, `/ruolo ${redattore.id} redattore`);
    await staff.say(admin, `/ruolo ${approvatore.id} approvatore`);
    await staff.say(redattore, '/iscritti');
    expect(String(staff.api.calls('sendPhoto').at(-1)?.caption)).toMatch(/^Iscritti attivi: 2\./);
    await staff.say(redattore, '/bozza Domenica 12 il mercato si sposta in piazza Matteotti.');
    const preview = staff.api.results<Message>('sendMessage').at(-1)!;
    await staff.bot.handleUpdate(
      callbackUpdate({ from: approvatore, data: 'approve:1:1', message: preview }),
    );

    const bulletin = 'Domenica 12 il mercato si sposta in piazza Matteotti.';
    await vi.waitFor(() => {
      const got = wa.sent.filter((m) => 'text' in m.content && m.content.text === bulletin).map((m) => m.jid);
      expect(got.sort()).toEqual([bruno, alice].sort());
    });
    await vi.waitFor(() => expect(bridge!.state().sent).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bulletinSends = wa.sent.filter((m) => 'text' in m.content && m.content.text === bulletin);
    expect(bulletinSends).toHaveLength(2);
    expect(new Set(bulletinSends.map((m) => m.messageId)).size).toBe(2);

    const poster = await startNoticePoster({
      db: ctx.db,
      listen: ctx.database.listen,
      api: staff.bot.api,
      staffChat: createStaffChat(STAFF_CHAT),
      logger: pino({ level: 'silent' }),
    });
    await vi.waitFor(() => expect(staff.sent().at(-1)).toMatch(/n\. 1 .*2 .*0 /));
    await poster.stop();
  });
});

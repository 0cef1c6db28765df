import { eq } from 'drizzle-orm';
import type { Message, Update } from 'grammy/types';
import { expect, it } from 'vitest';
import { auditEntries } from '../../src/core/audit.js';
import { bridgeState, channelRequests } from '../../src/db/schema.js';
import { buttonData } from '../../src/telegram/callback-data.js';
import { commandMenu } from '../../src/telegram/texts.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { cloudEnv } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore, STAFF_CHAT } from '../telegram/support.js';

const API_ROOT = 'http://127.0.0.1:9/v23.0';
const staffMessage = {
  message_id: 7,
  date: 0,
  chat: { id: STAFF_CHAT, type: 'supergroup', title: 'Staff' },
} as Message;

describeWithDatabase('linking commands with the Cloud API transport', (ctx) => {
  it('/collega, with or without a number, says the number is managed in WhatsApp Manager and asks for no pairing', async () => {
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT));
    await t.say(admin, '/collega 390551234567');
    await t.say(admin, '/collega');
    for (const text of t.sent()) {
      expect(text).toContain('WhatsApp Manager di Meta');
      expect(text).toContain('/collega e il QR non servono');
    }
    expect(t.sent()).toHaveLength(2);
    const [state] = await ctx.db.select().from(bridgeState).where(eq(bridgeState.id, 1));
    expect(state?.pairingNumber).toBeNull();
    expect((await auditEntries(ctx.db)).map((e) => e.action)).not.toContain('wa_pairing_request');
  });

  it('/collega stays an amministratore’s command', async () => {
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT));
    await t.say(redattore, '/collega 390551234567');
    expect(t.sent().join('\n')).not.toContain('WhatsApp Manager');
  });

  it('a "confirm the new number" button left from the Baileys days confirms nothing', async () => {
    await ctx.db
      .update(bridgeState)
      .set({ linkedNumber: '390550000001@s.whatsapp.net', unconfirmedNumber: '390550000002@s.whatsapp.net' })
      .where(eq(bridgeState.id, 1));
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT));
    const data = buttonData({ action: 'linkok', bulletinId: 0, arg: '390550000002' });
    await t.bot.handleUpdate(callbackUpdate({ from: admin, data, message: staffMessage }) as Update);
    const answers = t.api.calls('answerCallbackQuery').map((p) => String(p.text));
    expect(answers.join('\n')).toContain('WhatsApp Manager di Meta');
    const [state] = await ctx.db.select().from(bridgeState).where(eq(bridgeState.id, 1));
    expect(state?.linkedNumber).toBe('390550000001@s.whatsapp.net');
    expect(state?.unconfirmedNumber).toBe('390550000002@s.whatsapp.net');
  });

  it('/canale crea and /canale collega queue nothing for a phone that is not there', async () => {
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT));
    await t.say(admin, '/canale crea Comune informa');
    await t.say(admin, '/canale collega https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12');
    await t.say(admin, '/canale');
    expect(t.sent()).toHaveLength(3);
    for (const text of t.sent()) expect(text).toContain('con l’API Cloud di WhatsApp non si può');
    expect(await ctx.db.select().from(channelRequests)).toHaveLength(0);
  });

  it('/aiuto and the command menu leave /collega out', async () => {
    const cloud = createTestBot(ctx.db, cloudEnv(API_ROOT));
    await cloud.say(admin, '/aiuto');
    expect(cloud.sent()[0]).toContain('/canale');
    expect(cloud.sent()[0]).not.toContain('/collega <numero>');
    expect(commandMenu('cloud').map((c) => c.command)).not.toContain('collega');
    const baileys = createTestBot(ctx.db);
    await baileys.say(admin, '/aiuto');
    expect(baileys.sent()[0]).toContain('/collega <numero>');
  });
});

import type { Message, User } from 'grammy/types';
import { expect, it } from 'vitest';
import { bulletinOutlets } from '../../src/core/bulletin-outlets.js';
import { setRole } from '../../src/core/staff.js';
import { bulletins, whatsappChannel } from '../../src/db/schema.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore, type TestBot } from './support.js';

const admins = [admin.id];
/** A Baileys installation with the site: the WhatsApp Channel is configured, maybe not set. */
const CONFIGURED = ['whatsapp', 'whatsapp_channel', 'archive'] as const;
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
const labels = (markup: unknown) => (markup as Keyboard).inline_keyboard.flat().map((b) => b.text);

describeWithDatabase('the Canali picker', (ctx) => {
  async function drafted(): Promise<{ t: TestBot; preview: Message; id: number }> {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    const t = createTestBot(ctx.db, {}, { outlets: CONFIGURED });
    await t.say(redattore, '/bozza Strada chiusa per lavori.');
    const [row] = await ctx.db.select().from(bulletins);
    return { t, preview: t.api.results<Message>('sendMessage').at(-1)!, id: row!.id };
  }
  const press = (t: TestBot, from: User, data: string, message: Message) =>
    t.bot.handleUpdate(callbackUpdate({ from, data, message }));
  const version = async () => (await ctx.db.select().from(bulletins))[0]!.version;
  const alerts = (t: TestBot) => t.api.calls('answerCallbackQuery').map((a) => a.text);
  const setChannel = (role: string) =>
    ctx.db
      .insert(whatsappChannel)
      .values({ id: 1, jid: '120363400000000000@newsletter', name: 'Comune Informa', role, followers: 5 })
      .onConflictDoUpdate({ target: whatsappChannel.id, set: { role } });

  it('offers only the outlets that can publish: no WhatsApp Channel until one is set that the number may post in', async () => {
    const { t, preview, id } = await drafted();
    expect(await bulletinOutlets(ctx.db, id)).toEqual(['whatsapp', 'archive']);

    await press(t, redattore, `outlets:${id}:1`, preview);
    expect(labels(t.api.calls('editMessageReplyMarkup').at(-1)?.reply_markup)).toEqual([
      '✓ WhatsApp 1:1',
      '✓ Sito',
      'Indietro',
    ]);

    await setChannel('OWNER');
    await press(t, redattore, `outlets:${id}:1`, preview);
    expect(labels(t.api.calls('editMessageReplyMarkup').at(-1)?.reply_markup)).toEqual([
      '✓ WhatsApp 1:1',
      'Canale WhatsApp',
      '✓ Sito',
      'Indietro',
    ]);
  });

  it('refuses a press for an outlet that can no longer publish, with a clear message; nothing changes', async () => {
    const { t, preview, id } = await drafted();
    await setChannel('SUBSCRIBER');

    await press(t, redattore, `setoutlet:${id}:1:whatsapp_channel`, preview);

    expect(alerts(t).at(-1)).toContain('Questo canale ora non può pubblicare');
    expect(await bulletinOutlets(ctx.db, id)).toEqual(['whatsapp', 'archive']);
    expect(await version()).toBe(1);
  });

  it('lets staff take off a chosen outlet that can no longer publish, marked in the picker', async () => {
    const { t, preview, id } = await drafted();
    await setChannel('OWNER');
    await press(t, redattore, `setoutlet:${id}:1:whatsapp_channel`, preview);
    expect(await bulletinOutlets(ctx.db, id)).toEqual(['whatsapp', 'whatsapp_channel', 'archive']);
    await ctx.db.delete(whatsappChannel);

    await press(t, redattore, `outlets:${id}:2`, preview);
    expect(labels(t.api.calls('editMessageReplyMarkup').at(-1)?.reply_markup)).toEqual([
      '✓ WhatsApp 1:1',
      '✓ Canale WhatsApp (non disponibile)',
      '✓ Sito',
      'Indietro',
    ]);
    await press(t, redattore, `setoutlet:${id}:2:whatsapp_channel`, preview);
    expect(await bulletinOutlets(ctx.db, id)).toEqual(['whatsapp', 'archive']);
    expect(await version()).toBe(3);
  });

  it('marks in the preview a chosen outlet that can no longer publish, so the approver sees it', async () => {
    await setChannel('OWNER');
    const { t, preview, id } = await drafted();
    expect(String(t.api.calls('sendMessage').at(-1)?.text)).toContain(
      'Canali: WhatsApp 1:1, Canale WhatsApp, Sito.',
    );
    await ctx.db.delete(whatsappChannel);

    await press(t, redattore, `setoutlet:${id}:1:archive`, preview);

    expect(String(t.api.calls('editMessageText').at(-1)?.text)).toContain(
      'Canali: WhatsApp 1:1, Canale WhatsApp (non disponibile).',
    );
  });
});

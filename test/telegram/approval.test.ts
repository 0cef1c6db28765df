import type { Message, User } from 'grammy/types';
import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { optIn } from '../../src/core/subscriptions.js';
import { bulletins, deliveries } from '../../src/db/schema.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, createTestBot, redattore, stranger, type TestBot } from './support.js';

const admins = [admin.id];

describeWithDatabase('the Approva and Rifiuta buttons', (ctx) => {
  async function arrange() {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    for (const n of [1, 2]) {
      await optIn(ctx.db, {
        address: { phoneJid: `39333000000${n}@s.whatsapp.net` },
        messageId: `M${n}`,
        privacyVersion: '1',
      });
    }
    const t = createTestBot(ctx.db);
    return t;
  }

  /** Drafts through /bozza and returns the preview message the group sees. */
  async function draft(t: TestBot, author: User, text = 'Avviso importante'): Promise<Message> {
    await t.say(author, `/bozza ${text}`);
    const preview = t.api.results<Message>('sendMessage').at(-1);
    if (!preview?.reply_markup) throw new Error('no preview was posted');
    return preview;
  }

  const press = (t: TestBot, from: User, data: string, message: Message) =>
    t.bot.handleUpdate(callbackUpdate({ from, data, message }));

  const bulletinRow = async () => (await ctx.db.select().from(bulletins))[0];

  it('lets an approvatore approve: deliveries are queued and the preview shows who approved', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore, 'Domani mercato.');

    await press(t, approvatore, 'approve:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'sending', decidedBy: approvatore.id });
    const queued = await ctx.db.select().from(deliveries);
    expect(queued.map((d) => [d.bulletinId, d.state])).toEqual([
      [1, 'pending'],
      [1, 'pending'],
    ]);
    expect(t.api.calls('answerCallbackQuery')).toEqual([expect.objectContaining({ text: 'Approvato.' })]);
    expect(t.api.calls('editMessageText')).toEqual([
      expect.objectContaining({
        message_id: preview.message_id,
        text: 'Bollettino n. 1 approvato da Aldo: 2 invii in coda.\n\nDomani mercato.',
        reply_markup: { inline_keyboard: [] },
      }),
    ]);
  });

  it('refuses a second press once the bulletin is decided', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);
    await press(t, approvatore, 'approve:1', preview);

    await press(t, admin, 'approve:1', preview);
    await press(t, admin, 'reject:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'sending', decidedBy: approvatore.id });
    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);
    expect(t.api.calls('answerCallbackQuery').slice(1)).toEqual([
      expect.objectContaining({ text: 'Questo bollettino è già stato deciso.', show_alert: true }),
      expect.objectContaining({ text: 'Questo bollettino è già stato deciso.', show_alert: true }),
    ]);
    expect(t.api.calls('editMessageText')).toHaveLength(1);
  });

  it('refuses a redattore, and a person without a role, and changes nothing', async () => {
    const t = await arrange();
    const preview = await draft(t, admin);

    await press(t, redattore, 'approve:1', preview);
    await press(t, stranger, 'approve:1', preview);
    await press(t, stranger, 'reject:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending', decidedBy: null });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    expect(t.api.calls('answerCallbackQuery').map((p) => p.text)).toEqual([
      'Il tuo ruolo non lo consente.',
      'Non hai un ruolo nello staff.',
      'Non hai un ruolo nello staff.',
    ]);
    expect(t.api.calls('editMessageText')).toEqual([]);
  });

  it('does not let the author approve their own bulletin', async () => {
    const t = await arrange();
    const preview = await draft(t, approvatore);

    await press(t, approvatore, 'approve:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    expect(t.api.calls('answerCallbackQuery')).toEqual([
      expect.objectContaining({
        text: 'Non puoi approvare un bollettino che hai scritto tu.',
        show_alert: true,
      }),
    ]);
  });

  it('lets an approvatore reject: nothing is queued and the preview shows who rejected', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore, 'Testo sbagliato');

    await press(t, approvatore, 'reject:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'rejected', decidedBy: approvatore.id });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    expect(t.api.calls('editMessageText')).toEqual([
      expect.objectContaining({
        message_id: preview.message_id,
        text: 'Bollettino n. 1 rifiutato da Aldo: non sarà inviato.\n\nTesto sbagliato',
        reply_markup: { inline_keyboard: [] },
      }),
    ]);
    expect(t.api.calls('answerCallbackQuery')).toEqual([expect.objectContaining({ text: 'Rifiutato.' })]);
  });

  it('treats unknown button data as nothing to do', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);

    await press(t, approvatore, 'approve:1;drop', preview);
    await press(t, approvatore, 'approve:999', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(t.api.calls('answerCallbackQuery')).toEqual([
      expect.not.objectContaining({ text: expect.anything() }),
      expect.objectContaining({ text: 'Bollettino non trovato.' }),
    ]);
  });
});

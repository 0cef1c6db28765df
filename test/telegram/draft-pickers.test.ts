import { eq } from 'drizzle-orm';
import type { Message, User } from 'grammy/types';
import { expect, it } from 'vitest';
import { approve } from '../../src/core/decisions.js';
import { createList } from '../../src/core/lists.js';
import { setRole } from '../../src/core/staff.js';
import {
  auditLog,
  bulletinLists,
  bulletins,
  bulletinVersions,
  deliveries,
  lists,
} from '../../src/db/schema.js';
import { refusal } from '../../src/telegram/texts.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import { admin, approvatore, createTestBot, redattore, stranger, type TestBot } from './support.js';

const admins = [admin.id];
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
const buttons = (markup: unknown) =>
  (markup as Keyboard).inline_keyboard.map((row) => row.map((b) => `${b.text}=${b.callback_data}`));

describeWithDatabase('the Categoria and Liste pickers', (ctx) => {
  async function drafted(): Promise<{ t: TestBot; preview: Message }> {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    const t = createTestBot(ctx.db);
    await t.say(redattore, '/bozza Strada chiusa per lavori.');
    return { t, preview: t.api.results<Message>('sendMessage').at(-1)! };
  }

  const press = (t: TestBot, from: User, data: string, message: Message) =>
    t.bot.handleUpdate(callbackUpdate({ from, data, message }));
  const row = async () => (await ctx.db.select().from(bulletins))[0]!;
  /** A new list "Scuole" and its id (list ids are not reset between tests). */
  const scuole = async () => {
    await createList(ctx.db, { actorId: admin.id, adminIds: admins, name: 'Scuole' });
    return (await ctx.db.select().from(lists).where(eq(lists.slug, 'scuole')))[0]!.id;
  };
  const alerts = (t: TestBot) => t.api.calls('answerCallbackQuery').map((a) => a.text);

  it('opens the category picker in place of the buttons, the current choice ticked', async () => {
    const { t, preview } = await drafted();

    await press(t, redattore, 'category:1:1', preview);

    const [edit] = t.api.calls('editMessageReplyMarkup');
    expect(edit?.message_id).toBe(preview.message_id);
    expect(buttons(edit?.reply_markup)).toEqual([
      ['Servizi=setcat:1:1:servizi', 'Bandi=setcat:1:1:bandi'],
      ['Scadenze=setcat:1:1:scadenze', 'Viabilità=setcat:1:1:viabilita'],
      ['Ordinanze=setcat:1:1:ordinanze', 'Eventi=setcat:1:1:eventi'],
      ['Opportunità=setcat:1:1:opportunita'],
      ['✓ Nessuna=setcat:1:1:none', 'Indietro=back:1:1'],
    ]);
  });

  it('makes a new version with the category header, and shows it in the same preview', async () => {
    const { t, preview } = await drafted();

    await press(t, redattore, 'setcat:1:1:viabilita', preview);

    expect(await row()).toMatchObject({ version: 2, category: 'viabilita', state: 'pending' });
    const versions = await ctx.db.select().from(bulletinVersions).orderBy(bulletinVersions.version);
    expect(versions.map((v) => [v.version, v.category])).toEqual([
      [1, null],
      [2, 'viabilita'],
    ]);
    const entries = await ctx.db.select().from(auditLog).orderBy(auditLog.id);
    expect(entries.at(-1)).toMatchObject({ action: 'version', version: 2, hash: versions[1]!.hash });
    const [edit] = t.api.calls('editMessageText');
    expect(edit?.message_id).toBe(preview.message_id);
    expect(String(edit?.text)).toContain('\nScritto da Rita. Categoria: Viabilità.\n');
    const shown = 'Gli iscritti leggeranno:\n\nVIABILITÀ\n\nStrada chiusa per lavori.';
    expect(String(edit?.text).endsWith(shown)).toBe(true);
    // The header is in bold, as WhatsApp shows it.
    const headerAt = String(edit?.text).length - 'VIABILITÀ\n\nStrada chiusa per lavori.'.length;
    expect(edit?.entities).toEqual([{ type: 'bold', offset: headerAt, length: 'VIABILITÀ'.length }]);
    expect(buttons(edit?.reply_markup)[0]).toEqual(['Approva=approve:1:2', 'Rifiuta=reject:1:2']);
    expect(alerts(t)).toEqual(['Categoria: Viabilità. Nuova versione da approvare.']);
  });

  it('refuses a press from an older preview, a person without a role, or once decided; nothing changes', async () => {
    const { t, preview } = await drafted();
    await press(t, redattore, 'setcat:1:1:eventi', preview);

    await press(t, redattore, 'setcat:1:1:bandi', preview);
    await press(t, stranger, 'setcat:1:2:bandi', preview);
    await press(t, stranger, 'category:1:2', preview);
    await press(t, stranger, 'setlist:1:2:1', preview);
    await approve(ctx.db, {
      bulletinId: 1,
      version: 2,
      userId: approvatore.id,
      name: 'Aldo',
      adminIds: [approvatore.id],
    });
    await press(t, redattore, 'setcat:1:2:bandi', preview);

    expect(await row()).toMatchObject({ version: 2, category: 'eventi' });
    expect(alerts(t).slice(1)).toEqual([
      'Questa anteprima non è più quella attuale: usa l’ultima anteprima del bollettino.',
      'Non hai un ruolo nello staff.',
      'Non hai un ruolo nello staff.',
      'Non hai un ruolo nello staff.',
      'Questo bollettino non si può più modificare: è già partito, oppure è stato rifiutato o ritirato.',
    ]);
    expect(t.api.calls('editMessageReplyMarkup')).toEqual([]);
    expect(await ctx.db.select().from(bulletinVersions)).toHaveLength(2);
  });

  it('chooses the target lists: ticks, counts, at least one stays; each change a new version; the preview shows the recipients', async () => {
    await seedSubscribers(ctx.db, 3);
    await createList(ctx.db, { actorId: admin.id, adminIds: admins, name: 'Scuole' });
    const { t, preview } = await drafted();

    await press(t, redattore, 'lists:1:1', preview);
    expect(buttons(t.api.calls('editMessageReplyMarkup')[0]?.reply_markup)).toEqual([
      ['✓ Notizie del Comune (3)=setlist:1:1:1'],
      ['Scuole (0)=setlist:1:1:2'],
      ['Indietro=back:1:1'],
    ]);

    await press(t, redattore, 'setlist:1:1:2', preview);
    const added = t.api.calls('editMessageText').at(-1);
    expect(String(added?.text)).toMatch(/^Bollettino n\. 1, versione 2: da approvare\./);
    expect(String(added?.text)).toContain(
      '\nDestinatari: Notizie del Comune (3 iscritti), Scuole (0 iscritti).\n',
    );
    expect(buttons(added?.reply_markup)).toEqual([
      ['✓ Notizie del Comune (3)=setlist:1:2:1'],
      ['✓ Scuole (0)=setlist:1:2:2'],
      ['Indietro=back:1:2'],
    ]);
    expect(alerts(t).at(-1)).toBe('Destinatari aggiornati. Nuova versione da approvare.');

    await press(t, redattore, 'setlist:1:2:1', preview);
    await press(t, redattore, 'setlist:1:3:2', preview);

    expect((await ctx.db.select().from(bulletinLists)).map((l) => l.listId)).toEqual([2]);
    expect(alerts(t).at(-1)).toBe('Il bollettino deve andare ad almeno una lista.');
    expect(await row()).toMatchObject({ version: 3 });
    const versions = await ctx.db.select().from(bulletinVersions).orderBy(bulletinVersions.version);
    expect(versions.map((v) => [v.version, v.listIds, v.authorId])).toEqual([
      [1, [1], redattore.id],
      [2, [1, 2], redattore.id],
      [3, [2], redattore.id],
    ]);
    expect(new Set(versions.map((v) => v.hash)).size).toBe(3);
    const changes = await ctx.db.select().from(auditLog).orderBy(auditLog.id);
    expect(changes.filter((e) => e.action === 'list_change').map((e) => [e.version, e.detail])).toEqual([
      [null, { list: 'scuole', change: 'create' }],
      [2, { list: 'scuole', change: 'target_add' }],
      [3, { list: 'notizie', change: 'target_remove' }],
    ]);
  });

  it('refuses the approval of the version before a change of lists; the approval binds the lists seen', async () => {
    await seedSubscribers(ctx.db, 3);
    const school = await scuole();
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    const { t, preview } = await drafted();
    await press(t, redattore, `setlist:1:1:${school}`, preview);
    await press(t, redattore, 'setlist:1:2:1', preview);

    await press(t, approvatore, 'approve:1:1', preview);
    expect(alerts(t).at(-1)).toBe(refusal('stale_version'));
    expect(await row()).toMatchObject({ state: 'pending', version: 3 });

    await press(t, approvatore, 'approve:1:3', preview);
    const [v3] = await ctx.db.select().from(bulletinVersions).where(eq(bulletinVersions.version, 3));
    expect(await row()).toMatchObject({ state: 'sending', approvedVersion: 3, approvedHash: v3!.hash });
    // The only list left has no subscribers: nobody of the default list receives it.
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
  });

  it('refuses the approval of an approver who changed the lists', async () => {
    const school = await scuole();
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    const { t, preview } = await drafted();

    await press(t, approvatore, `setlist:1:1:${school}`, preview);
    await press(t, approvatore, 'approve:1:2', preview);

    expect(alerts(t).at(-1)).toBe(refusal('self_approval'));
    expect(await row()).toMatchObject({ state: 'pending', version: 2 });
  });

  it('answers and ignores button data that is not one of ours', async () => {
    const { t, preview } = await drafted();

    await press(t, redattore, 'category:abc', preview);
    await press(t, redattore, 'setcat:1:1:musica', preview);
    await press(t, redattore, 'setlist:1:1:x', preview);

    expect(alerts(t)).toEqual([undefined, undefined, undefined]);
    expect(await row()).toMatchObject({ version: 1, category: null });
    expect(t.api.calls('editMessageReplyMarkup')).toEqual([]);
    expect(t.lines.some((line) => line.level === 50)).toBe(false);
  });

  it('"Indietro" shows the preview buttons again', async () => {
    const { t, preview } = await drafted();
    await press(t, redattore, 'category:1:1', preview);

    await press(t, redattore, 'back:1:1', preview);

    expect(buttons(t.api.calls('editMessageReplyMarkup').at(-1)?.reply_markup)).toEqual([
      ['Approva=approve:1:1', 'Rifiuta=reject:1:1'],
      ['Programma=schedule:1:1', 'Urgente=urgent:1:1'],
      ['Categoria=category:1:1', 'Liste=lists:1:1'],
      ['Ritira bozza=withdraw:1'],
    ]);
  });
});

import { eq } from 'drizzle-orm';
import type { MessageEntity } from 'grammy/types';
import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { auditLog, bulletins, bulletinVersions } from '../../src/db/schema.js';
import { MAX_DRAFT_LENGTH } from '../../src/telegram/drafts.js';
import { messageUpdate, textMessage } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import { admin, createTestBot, redattore, STAFF_CHAT, stranger } from './support.js';

const admins = [admin.id];
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

describeWithDatabase('/bozza', (ctx) => {
  it('drafts a bulletin and posts a preview of exactly what citizens will read, with its buttons', async () => {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await seedSubscribers(ctx.db, 5);
    const t = createTestBot(ctx.db, { SEND_WINDOW: '08:00-20:00' });

    await t.say(redattore, '/bozza Domani mercato in piazza.\nDalle 8 alle 13.');

    const [bulletin] = await ctx.db.select().from(bulletins);
    expect(bulletin).toMatchObject({
      state: 'pending',
      authorId: redattore.id,
      version: 1,
      text: 'Domani mercato in piazza.\nDalle 8 alle 13.',
    });
    const [preview] = t.api.calls('sendMessage');
    expect(preview?.chat_id).toBe(STAFF_CHAT);
    expect(preview?.text).toBe(
      'Bollettino n. 1, versione 1: da approvare.\n' +
        'Scritto da Rita. Categoria: nessuna.\n' +
        'Destinatari: Notizie del Comune (5 iscritti).\n' +
        'Invio: appena approvato, nella fascia 08:00-20:00.\n' +
        'Lunghezza: 42 caratteri. Leggibilità (indice Gulpease): 100 su 100.\n\n' +
        'Gli iscritti leggeranno:\n\n' +
        'Domani mercato in piazza.\nDalle 8 alle 13.',
    );
    const keyboard = preview?.reply_markup as Keyboard;
    expect(keyboard.inline_keyboard.map((row) => row.map((b) => [b.text, b.callback_data]))).toEqual([
      [
        ['Approva', 'approve:1:1'],
        ['Rifiuta', 'reject:1:1'],
      ],
      [
        ['Programma', 'schedule:1:1'],
        ['Urgente', 'urgent:1:1'],
      ],
      [
        ['Categoria', 'category:1:1'],
        ['Liste', 'lists:1:1'],
      ],
      [['Ritira bozza', 'withdraw:1']],
    ]);
    const [sent] = t.api.results<{ message_id: number }>('sendMessage');
    expect(bulletin?.previewMessageId).toBe(sent?.message_id);
    const [version] = await ctx.db.select().from(bulletinVersions);
    // The role given above is in the register too (role_change): look for the draft's line.
    const [entry] = await ctx.db.select().from(auditLog).where(eq(auditLog.action, 'draft'));
    expect(entry).toMatchObject({ action: 'draft', actorId: redattore.id, version: 1, hash: version?.hash });
    expect(entry?.detail).toEqual({ name: 'Rita' });
  });

  it('keeps Telegram formatting as written, offsets after the command moved', async () => {
    const t = createTestBot(ctx.db);
    const text = '/bozza 📢 Allerta meteo: scuole chiuse';
    const entities: MessageEntity[] = [
      { type: 'bold', offset: 10, length: 13 },
      { type: 'italic', offset: 25, length: 13 },
    ];

    await t.bot.handleUpdate({
      update_id: 900001,
      message: textMessage({ chatId: STAFF_CHAT, from: admin, text, entities }) as never,
    });

    const [bulletin] = await ctx.db.select().from(bulletins);
    expect(bulletin?.body).toEqual({
      text: '📢 Allerta meteo: scuole chiuse',
      entities: [
        { type: 'bold', offset: 3, length: 13 },
        { type: 'italic', offset: 18, length: 13 },
      ],
    });
  });

  it('takes the text, or the caption, of the message it replies to', async () => {
    const t = createTestBot(ctx.db);
    const text = textMessage({ chatId: STAFF_CHAT, from: redattore, text: 'Chiusura scuole per neve.' });
    const bold = textMessage({
      chatId: STAFF_CHAT,
      from: redattore,
      text: 'Sagra sabato.',
      entities: [{ type: 'bold', offset: 0, length: 5 }],
    });

    await t.say(admin, '/bozza', { replyTo: text });
    await t.say(admin, '/bozza', { replyTo: bold });

    const rows = await ctx.db.select().from(bulletins).orderBy(bulletins.id);
    expect(rows.map((b) => b.body)).toEqual([
      { text: 'Chiusura scuole per neve.', entities: [] },
      { text: 'Sagra sabato.', entities: [{ type: 'bold', offset: 0, length: 5 }] },
    ]);
  });

  it('answers the usage line when there is no text', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, '/bozza   ');

    expect(t.sent()).toEqual([
      'Uso: /bozza <testo>, oppure rispondi con /bozza a un messaggio con il testo, una foto, un video o un PDF ' +
        '(anche con la didascalia che inizia con /bozza).',
    ]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a text too long to show in one Telegram message with its preview, with the numbers', async () => {
    const t = createTestBot(ctx.db);
    expect(MAX_DRAFT_LENGTH).toBe(3296);

    await t.say(admin, `/bozza ${'a'.repeat(MAX_DRAFT_LENGTH + 1)}`);

    expect(t.sent()).toEqual(['Il testo del bollettino è troppo lungo: 3297 caratteri, al massimo 3296.']);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('accepts the longest text and its preview fits in one Telegram message', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, `/bozza ${'parola '.repeat(MAX_DRAFT_LENGTH / 7)}`.trimEnd());

    const [preview] = t.api.calls('sendMessage');
    expect(String(preview?.text).length).toBeLessThanOrEqual(4096);
    expect(String(preview?.text)).toMatch(/^Bollettino n\. 1, versione 1: da approvare\.\nScritto da Anna\./);
  });

  it('adds a one-line hint when the text is hard for the general public', async () => {
    const t = createTestBot(ctx.db);

    await t.say(
      admin,
      '/bozza Si comunica che, in ottemperanza alle disposizioni regolamentari vigenti, ' +
        'l’amministrazione comunale ha provveduto alla predisposizione della documentazione propedeutica.',
    );

    const text = String(t.api.calls('sendMessage')[0]?.text);
    expect(text).toContain('Leggibilità (indice Gulpease): 26 su 100.\n');
    expect(text).toContain(
      '\nTesto molto difficile anche per chi ha un diploma: frasi più brevi e parole comuni aiutano.\n',
    );
  });

  it('refuses a person without a role and drafts nothing', async () => {
    const t = createTestBot(ctx.db);

    await t.say(stranger, '/bozza Avviso');
    await t.bot.handleUpdate(messageUpdate({ chatId: STAFF_CHAT, from: stranger, text: '/bozza' }));

    expect(t.sent()[0]).toBe('Non hai un ruolo nello staff.');
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });
});

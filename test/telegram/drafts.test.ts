import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { bulletins } from '../../src/db/schema.js';
import { MAX_DRAFT_LENGTH } from '../../src/telegram/drafts.js';
import { textMessage } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore, STAFF_CHAT, stranger } from './support.js';

const admins = [admin.id];
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

describeWithDatabase('/bozza', (ctx) => {
  it('drafts a bulletin and posts a preview with the Approva and Rifiuta buttons', async () => {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    const t = createTestBot(ctx.db);

    await t.say(redattore, '/bozza Domani mercato in piazza.\nDalle 8 alle 13.');

    const [bulletin] = await ctx.db.select().from(bulletins);
    expect(bulletin).toMatchObject({
      state: 'pending',
      authorId: redattore.id,
      text: 'Domani mercato in piazza.\nDalle 8 alle 13.',
    });
    const [preview] = t.api.calls('sendMessage');
    expect(preview?.chat_id).toBe(STAFF_CHAT);
    expect(String(preview?.text)).toMatch(/^Bollettino n\. 1, da approvare\. Scritto da Rita\./);
    expect(String(preview?.text).endsWith('\n\nDomani mercato in piazza.\nDalle 8 alle 13.')).toBe(true);
    const keyboard = preview?.reply_markup as Keyboard;
    expect(keyboard.inline_keyboard.flat().map((b) => [b.text, b.callback_data])).toEqual([
      ['Approva', 'approve:1:1'],
      ['Rifiuta', 'reject:1:1'],
    ]);
    const [sent] = t.api.results<{ message_id: number }>('sendMessage');
    expect(bulletin?.previewMessageId).toBe(sent?.message_id);
  });

  it('takes the text, or the caption, of the message it replies to', async () => {
    const t = createTestBot(ctx.db);
    const text = textMessage({ chatId: STAFF_CHAT, from: redattore, text: 'Chiusura scuole per neve.' });
    const photo = { ...textMessage({ chatId: STAFF_CHAT, from: redattore, text: '' }), text: undefined };

    await t.say(admin, '/bozza', { replyTo: text });
    await t.say(admin, '/bozza', { replyTo: { ...photo, caption: 'Foto della sagra.' } });

    const rows = await ctx.db.select().from(bulletins).orderBy(bulletins.id);
    expect(rows.map((b) => b.text)).toEqual(['Chiusura scuole per neve.', 'Foto della sagra.']);
    expect(t.api.calls('sendMessage').every((p) => p.reply_markup !== undefined)).toBe(true);
  });

  it('answers the usage line when there is no text', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, '/bozza   ');

    expect(t.sent()).toEqual([
      'Uso: /bozza <testo>, oppure rispondi con /bozza al messaggio che contiene il testo.',
    ]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a text too long to show in one Telegram message', async () => {
    const t = createTestBot(ctx.db);

    await t.say(admin, `/bozza ${'a'.repeat(MAX_DRAFT_LENGTH + 1)}`);

    expect(t.sent()).toEqual([
      `Il testo del bollettino è troppo lungo: ${MAX_DRAFT_LENGTH + 1} caratteri, al massimo ${MAX_DRAFT_LENGTH}.`,
    ]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a person without a role and drafts nothing', async () => {
    const t = createTestBot(ctx.db);

    await t.say(stranger, '/bozza Avviso');

    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });
});

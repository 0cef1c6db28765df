import { eq } from 'drizzle-orm';
import { Api } from 'grammy';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { storeMedia } from '../../src/core/media.js';
import { auditLog, bulletinState, bulletins } from '../../src/db/schema.js';
import { MAX_CAPTION_LENGTH, MAX_DRAFT_LENGTH } from '../../src/telegram/drafts.js';
import { refreshPreview, renderPreview } from '../../src/telegram/preview.js';
import { type PreviewFacts, previewText } from '../../src/telegram/texts.js';
import { recordBotApi } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, redattore, STAFF_CHAT } from './support.js';

/** SEND_WINDOW's default, 08:00-20:00. */
const DEFAULT_WINDOW = { sendWindow: { startMinute: 8 * 60, endMinute: 20 * 60 } };

const decidedAt = new Date('2026-11-28T13:05:00Z'); // 14:05 in Rome
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

describeWithDatabase('the preview', (ctx) => {
  async function bulletinIn(
    change: Partial<typeof bulletins.$inferInsert>,
    decision?: { action: string; name: string },
  ): Promise<number> {
    const draft = await createDraft(ctx.db, {
      authorId: redattore.id,
      authorName: 'Rita',
      text: 'Mercato domenica.',
      adminIds: [redattore.id],
    });
    await ctx.db.update(bulletins).set(change).where(eq(bulletins.id, draft.id));
    if (decision) {
      await ctx.db.insert(auditLog).values({
        actorId: approvatore.id,
        action: decision.action,
        bulletinId: draft.id,
        at: decidedAt,
        detail: { name: decision.name },
      });
    }
    return draft.id;
  }

  const headOf = async (id: number) =>
    (await renderPreview(ctx.db, id, DEFAULT_WINDOW)).text.split('\n\n')[0]!.split('\n');

  it('shows an approved, scheduled bulletin with who approved and when, and offers to cancel the schedule', async () => {
    const id = await bulletinIn(
      { state: 'approved', sendAt: new Date('2026-11-29T07:00:00Z') },
      { action: 'approve', name: 'Aldo' },
    );

    const { text, keyboard } = await renderPreview(ctx.db, id, DEFAULT_WINDOW);

    expect(text.split('\n').slice(0, 4)).toEqual([
      'Bollettino n. 1, versione 1: approvato da Aldo il 28/11 alle 14:05; partirà il 29/11 alle 08:00.',
      'Scritto da Rita. Categoria: nessuna.',
      'Destinatari: Notizie del Comune (0 iscritti).',
      'Invio: programmato il 29/11 alle 08:00.',
    ]);
    expect((keyboard!.inline_keyboard as Keyboard['inline_keyboard']).flat().map((b) => b.text)).toEqual([
      'Annulla programmazione',
    ]);
  });

  it('has a state line for every later state, and no buttons', async () => {
    const sending = await bulletinIn({ state: 'sending' }, { action: 'approve', name: 'Aldo' });
    const sent = await bulletinIn(
      { state: 'sent', finishedAt: new Date('2026-11-28T13:30:00Z') },
      { action: 'approve', name: 'Aldo' },
    );
    const rejected = await bulletinIn(
      { state: 'rejected', rejectReason: 'La data è sbagliata' },
      { action: 'reject', name: 'Aldo' },
    );
    const withdrawn = await bulletinIn({ state: 'withdrawn' }, { action: 'withdraw', name: 'Rita' });
    const stopped = await bulletinIn({ state: 'stopped' });

    expect((await headOf(sending))[0]).toBe(
      'Bollettino n. 1, versione 1: in invio (approvato da Aldo il 28/11 alle 14:05).',
    );
    expect((await headOf(sent))[0]).toBe(
      'Bollettino n. 2, versione 1: inviato il 28/11 alle 14:30 (approvato da Aldo).',
    );
    expect((await headOf(rejected))[0]).toBe(
      'Bollettino n. 3, versione 1: rifiutato da Aldo il 28/11 alle 14:05. Motivo: La data è sbagliata.',
    );
    expect((await headOf(withdrawn))[0]).toBe(
      'Bollettino n. 4, versione 1: ritirato da Rita il 28/11 alle 14:05: non sarà inviato.',
    );
    expect((await headOf(stopped))[0]).toBe('Bollettino n. 5, versione 1: fermato durante l’invio.');
    for (const id of [sending, sent, rejected, withdrawn, stopped]) {
      expect((await renderPreview(ctx.db, id, DEFAULT_WINDOW)).keyboard).toBeUndefined();
      expect((await headOf(id)).some((line) => line.startsWith('Invio:'))).toBe(false);
    }
  });

  it('says an urgent bulletin goes out even outside the sending window, in the configured window', async () => {
    const id = await bulletinIn({ urgent: true });

    const { text } = await renderPreview(ctx.db, id, {
      sendWindow: { startMinute: 7 * 60 + 30, endMinute: 21 * 60 },
    });

    expect(text).toContain('\nInvio: appena approvato, urgente (anche fuori dalla fascia 07:30-21:00).\n');
  });

  it('is edited in the caption for a media bulletin, and in the text otherwise', async () => {
    const api = new Api('123:test');
    const recorded = recordBotApi(api);
    const textOnly = await bulletinIn({ previewMessageId: 501 });
    const withPhoto = await bulletinIn({ previewMessageId: 502 });
    const photo = await storeMedia(ctx.db, {
      kind: 'image',
      mimeType: 'image/jpeg',
      fileName: null,
      data: Buffer.from([1, 2, 3]),
      telegramFileId: 'PHOTO-7',
    });
    await ctx.db.update(bulletins).set({ mediaId: photo.id }).where(eq(bulletins.id, withPhoto));
    const logger = pino({ level: 'silent' });

    await refreshPreview(api, ctx.db, STAFF_CHAT, textOnly, logger, DEFAULT_WINDOW);
    await refreshPreview(api, ctx.db, STAFF_CHAT, withPhoto, logger, DEFAULT_WINDOW);

    expect(recorded.calls('editMessageText').map((c) => c.message_id)).toEqual([501]);
    const [caption] = recorded.calls('editMessageCaption');
    expect(caption).toMatchObject({ chat_id: STAFF_CHAT, message_id: 502 });
    expect(String(caption?.caption)).toContain('\nAllegato: foto.\n');
    expect((await renderPreview(ctx.db, withPhoto, DEFAULT_WINDOW)).media).toEqual({
      kind: 'image',
      fileId: 'PHOTO-7',
    });
  });

  it('keeps only the first header line when header and caption would not fit under a file', () => {
    const facts: PreviewFacts = {
      bulletinId: 1,
      version: 1,
      state: 'pending',
      authorName: 'Rita',
      editorName: undefined,
      category: undefined,
      media: { kind: 'image', fileName: null },
      lists: [{ name: 'Notizie del Comune', members: 5 }],
      urgent: false,
      sendAt: null,
      finishedAt: null,
      sendWindow: { startMinute: 480, endMinute: 1200 },
      decision: undefined,
      rejectReason: null,
      approvalVoided: false,
      gulpease: 80,
      text: 'a'.repeat(900),
    };

    const text = previewText(facts, 1024);

    expect(text).toBe(`Bollettino n. 1, versione 1: da approvare.\n\n${'a'.repeat(900)}`);
    expect(previewText({ ...facts, text: 'Breve.' }, 1024)).toContain(
      '\nDestinatari: Notizie del Comune (5 iscritti).\n',
    );
  });

  it('shows the whole header with the longest text or caption, long names and three lists, in every state', () => {
    const long = 'N'.repeat(64);
    const base: PreviewFacts = {
      bulletinId: 2_147_483_647,
      version: 999,
      state: 'pending',
      authorName: long,
      editorName: long,
      category: 'Opportunità',
      media: undefined,
      lists: [1, 2, 3].map((n) => ({ name: `${'L'.repeat(40)}${n}`, members: 100_000 })),
      urgent: true,
      sendAt: new Date('2026-11-29T07:00:00Z'),
      finishedAt: new Date('2026-11-29T07:00:00Z'),
      sendWindow: { startMinute: 480, endMinute: 1200 },
      decision: { name: long, at: decidedAt },
      rejectReason: 'Motivo breve',
      approvalVoided: true,
      gulpease: 30,
      text: `*OPPORTUNITÀ*\n\n${'x'.repeat(MAX_DRAFT_LENGTH)}`,
    };
    for (const state of bulletinState.enumValues) {
      const asText = previewText({ ...base, state }, 4096);
      expect(asText.length, state).toBeLessThanOrEqual(4096);
      expect(asText, state).toContain('\nDestinatari: ');
      const caption = `*OPPORTUNITÀ*\n\n${'x'.repeat(MAX_CAPTION_LENGTH)}`;
      const asCaption = previewText(
        { ...base, state, text: caption, media: { kind: 'document', fileName: 'f'.repeat(80) } },
        1024,
      );
      expect(asCaption.length, state).toBeLessThanOrEqual(1024);
      expect(asCaption.endsWith(caption), state).toBe(true);
    }
  });

  it('names the author of a draft made before names were recorded as unknown, never failing', async () => {
    const draft = await createDraft(ctx.db, { authorId: admin.id, text: 'Avviso', adminIds: [admin.id] });

    expect((await headOf(draft.id))[1]).toBe('Scritto da sconosciuto. Categoria: nessuna.');
  });
});

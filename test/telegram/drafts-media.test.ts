import type { Message } from 'grammy/types';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { approve } from '../../src/core/decisions.js';
import { bulletins, bulletinVersions, media } from '../../src/db/schema.js';
import { createBot } from '../../src/telegram/bot.js';
import { MAX_CAPTION_LENGTH } from '../../src/telegram/drafts.js';
import {
  type BotApiServer,
  botInfo,
  fileMessage,
  startBotApiServer,
  textMessage,
  updateOf,
} from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import {
  admin,
  approvatore,
  captureLogger,
  createTestBot,
  redattore,
  STAFF_CHAT,
  testConfig,
} from './support.js';

// A 1x1 PNG, and the first bytes of a PDF: the bytes are only carried, never decoded here.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const MB = 1024 * 1024;

describeWithDatabase('drafting a photo, video or PDF', (ctx) => {
  const bridges = bridgeHarness(ctx);
  let server: BotApiServer;

  beforeEach(async () => {
    server = await startBotApiServer();
  });
  afterEach(async () => {
    await server.close();
  });

  /** The staff bot talking HTTP to the Bot API stand-in, which also serves the files. */
  function staffBot() {
    const { logger } = captureLogger();
    const config = testConfig({ TELEGRAM_API_ROOT: server.apiRoot });
    return createBot({ config, db: ctx.db, logger, botInfo });
  }

  it('keeps a photo drafted with a /bozza caption, previews it as a photo, and WhatsApp gets the image with the caption', async () => {
    await seedSubscribers(ctx.db, 3);
    const bot = staffBot();
    server.addFile('PHOTO-1', PNG);

    await bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: admin,
          file: { kind: 'photo', fileId: 'PHOTO-1', size: PNG.length },
          caption: '/bozza Foto della nuova piazza',
        }),
      ),
    );

    const [row] = await ctx.db.select().from(media);
    expect(row).toMatchObject({
      kind: 'image',
      mimeType: 'image/jpeg',
      size: PNG.length,
      telegramFileId: 'PHOTO-1',
    });
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.compare(row!.data, PNG)).toBe(0);
    const [bulletin] = await ctx.db.select().from(bulletins);
    expect(bulletin).toMatchObject({ text: 'Foto della nuova piazza', mediaId: row!.id });
    const [photo] = server.calls('sendPhoto');
    expect(photo).toMatchObject({ chat_id: STAFF_CHAT, photo: 'PHOTO-1' });
    expect(String(photo?.caption)).toContain('\nAllegato: foto.\n');
    expect(String(photo?.caption).endsWith('\n\nGli iscritti leggeranno:\n\nFoto della nuova piazza')).toBe(
      true,
    );
    expect(bulletin?.previewMessageId).toBe(server.results<Message>('sendPhoto')[0]?.message_id);

    await approve(ctx.db, {
      bulletinId: bulletin!.id,
      version: 1,
      userId: approvatore.id,
      name: 'Aldo',
      adminIds: [approvatore.id],
    });
    const { socket } = await bridges.start();
    socket.open();
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(3), { timeout: 10_000 });
    const images = socket.sent.filter((m) => m.message).map((m) => m.message?.imageMessage);
    expect(images.every((image) => image?.caption === 'Foto della nuova piazza')).toBe(true);
  });

  it('keeps a PDF drafted with /bozza in reply, and WhatsApp gets the document with its name and caption', async () => {
    await seedSubscribers(ctx.db, 2);
    const bot = staffBot();
    server.addFile('PDF-1', PDF);
    const pdf = fileMessage({
      chatId: STAFF_CHAT,
      from: redattore,
      file: { kind: 'document', fileId: 'PDF-1', mimeType: 'application/pdf', fileName: 'bando.pdf' },
      caption: 'Bando contributi affitto: domande entro il 15 marzo.',
      captionEntities: [{ type: 'bold', offset: 0, length: 5 }],
    });

    await bot.handleUpdate(
      updateOf(textMessage({ chatId: STAFF_CHAT, from: admin, text: '/bozza', replyTo: pdf })),
    );

    const [row] = await ctx.db.select().from(media);
    expect(row).toMatchObject({
      kind: 'document',
      mimeType: 'application/pdf',
      fileName: 'bando.pdf',
      size: PDF.length,
    });
    const [version] = await ctx.db.select().from(bulletinVersions);
    expect(version).toMatchObject({
      version: 1,
      mediaId: row!.id,
      body: {
        text: 'Bando contributi affitto: domande entro il 15 marzo.',
        entities: [{ type: 'bold', offset: 0, length: 5 }],
      },
    });
    const [preview] = server.calls('sendDocument');
    expect(preview).toMatchObject({ document: 'PDF-1' });
    expect(String(preview?.caption)).toContain('\nAllegato: documento PDF «bando.pdf».\n');

    await approve(ctx.db, {
      bulletinId: 1,
      version: 1,
      userId: approvatore.id,
      name: 'Aldo',
      adminIds: [approvatore.id],
    });
    const { socket } = await bridges.start();
    socket.open();
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(2), { timeout: 10_000 });
    const documents = socket.sent.filter((m) => m.message).map((m) => m.message?.documentMessage);
    expect(documents.map((d) => [d?.fileName, d?.caption, d?.mimetype])).toEqual([
      ['bando.pdf', '*Bando* contributi affitto: domande entro il 15 marzo.', 'application/pdf'],
      ['bando.pdf', '*Bando* contributi affitto: domande entro il 15 marzo.', 'application/pdf'],
    ]);
  });

  it('keeps a video drafted with /bozza in reply and previews it as a video', async () => {
    const bot = staffBot();
    server.addFile('VIDEO-1', Buffer.from('mp4 bytes'));
    const video = fileMessage({
      chatId: STAFF_CHAT,
      from: redattore,
      file: { kind: 'video', fileId: 'VIDEO-1', size: 9 },
      caption: 'Il nuovo parco giochi',
    });

    await bot.handleUpdate(
      updateOf(textMessage({ chatId: STAFF_CHAT, from: admin, text: '/bozza', replyTo: video })),
    );

    expect(await ctx.db.select().from(media)).toEqual([
      expect.objectContaining({ kind: 'video', mimeType: 'video/mp4', size: 9, telegramFileId: 'VIDEO-1' }),
    ]);
    const [preview] = server.calls('sendVideo');
    expect(preview).toMatchObject({ video: 'VIDEO-1' });
    expect(String(preview?.caption)).toContain('\nAllegato: video.\n');
  });

  it('refuses a file above the 20 MB download limit, names the self-hosted Bot API server, and keeps nothing', async () => {
    const t = createTestBot(ctx.db);
    const big = fileMessage({
      chatId: STAFF_CHAT,
      from: admin,
      file: { kind: 'video', fileId: 'VIDEO-BIG', size: 25 * MB },
      caption: '/bozza Il video del consiglio comunale',
    });

    await t.bot.handleUpdate(updateOf(big));

    expect(t.sent()).toEqual([
      'Il file pesa 25 MB: un bot di Telegram può scaricare file fino a 20 MB, quindi non posso tenerlo per WhatsApp. ' +
        'Mandane uno più leggero. Un server Bot API installato dal Comune (indicato in TELEGRAM_API_ROOT) toglie questo limite.',
    ]);
    expect(t.api.calls('getFile')).toEqual([]);
    expect(await ctx.db.select().from(media)).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('stops a download the moment it passes the limit, whatever size Telegram announced, and keeps nothing', async () => {
    const { logger } = captureLogger();
    const config = testConfig({ TELEGRAM_API_ROOT: server.apiRoot, TELEGRAM_DOWNLOAD_LIMIT_MB: '1' });
    const bot = createBot({ config, db: ctx.db, logger, botInfo });
    // getFile says 100 kB; the file endpoint streams 64 MB.
    server.addFile('PDF-LIAR', Buffer.alloc(64 * MB), 100_000);

    await bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: admin,
          file: {
            kind: 'document',
            fileId: 'PDF-LIAR',
            size: 100_000,
            mimeType: 'application/pdf',
            fileName: 'delibera.pdf',
          },
          caption: '/bozza La delibera',
        }),
      ),
    );

    expect(server.calls('sendMessage').map((p) => p.text)).toEqual([
      'Il file pesa più di 1 MB: un bot di Telegram può scaricare file fino a 1 MB, quindi non posso tenerlo per WhatsApp. ' +
        'Mandane uno più leggero. Un server Bot API installato dal Comune (indicato in TELEGRAM_API_ROOT) toglie questo limite.',
    ]);
    expect(await server.served('PDF-LIAR')).toBeLessThan(16 * MB);
    expect(await ctx.db.select().from(media)).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a document that is not a PDF', async () => {
    const t = createTestBot(ctx.db);
    const sheet = fileMessage({
      chatId: STAFF_CHAT,
      from: admin,
      file: { kind: 'document', fileId: 'XLS', mimeType: 'application/vnd.ms-excel', fileName: 'orari.xls' },
      caption: '/bozza Orari',
    });

    await t.bot.handleUpdate(updateOf(sheet));

    expect(t.sent()).toEqual([
      'Come documento posso inviare solo PDF. Per altri formati salvalo in PDF e rimandalo.',
    ]);
    expect(await ctx.db.select().from(media)).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a caption too long for a preview under a file, with the numbers, before downloading', async () => {
    const t = createTestBot(ctx.db);
    t.api.addFile('PHOTO-2', PNG);

    await t.bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: admin,
          file: { kind: 'photo', fileId: 'PHOTO-2' },
          caption: `/bozza ${'a'.repeat(MAX_CAPTION_LENGTH + 1)}`,
        }),
      ),
    );

    expect(t.sent()).toEqual([
      `La didascalia è troppo lunga: ${MAX_CAPTION_LENGTH + 1} caratteri, al massimo ${MAX_CAPTION_LENGTH} ` +
        '(Telegram mostra fino a 1.024 caratteri sotto un file, e l’anteprima ne usa una parte).',
    ]);
    expect(t.api.calls('getFile')).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('downloads nothing for a person without a role', async () => {
    const t = createTestBot(ctx.db);
    t.api.addFile('PHOTO-3', PNG);

    await t.bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: { id: 99, is_bot: false, first_name: 'Ugo' },
          file: { kind: 'photo', fileId: 'PHOTO-3' },
          caption: '/bozza Foto',
        }),
      ),
    );

    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
    expect(t.api.calls('getFile')).toEqual([]);
    expect(await ctx.db.select().from(media)).toEqual([]);
  });

  it('tells the author when Telegram does not hand the file over, and keeps nothing', async () => {
    const t = createTestBot(ctx.db);

    await t.bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: admin,
          file: { kind: 'photo', fileId: 'GONE' },
          caption: '/bozza Foto',
        }),
      ),
    );

    expect(t.api.calls('getFile')).toHaveLength(1);
    expect(t.sent()).toEqual(['Non sono riuscito a scaricare il file da Telegram: riprova tra poco.']);
    expect(await ctx.db.select().from(media)).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });
});

import { eq, sql } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { afterEach, expect, it } from 'vitest';
import { approve } from '../../src/core/decisions.js';
import { scheduleBulletin } from '../../src/core/scheduling.js';
import { setRole } from '../../src/core/staff.js';
import { auditLog, bulletins, bulletinVersions } from '../../src/db/schema.js';
import { createBot } from '../../src/telegram/bot.js';
import {
  type BotApiServer,
  botInfo,
  fileMessage,
  startBotApiServer,
  textMessage,
  updateOf,
} from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import {
  admin,
  approvatore,
  captureLogger,
  createTestBot,
  redattore,
  STAFF_CHAT,
  stranger,
  type TestBot,
  testConfig,
} from './support.js';

const admins = [admin.id];
type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

describeWithDatabase('a reply to a preview', (ctx) => {
  let server: BotApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function drafted(t: TestBot, text = 'Mercato domenica in piazza.'): Promise<Message> {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await t.say(redattore, `/bozza ${text}`);
    return t.api.results<Message>('sendMessage').at(-1)!;
  }

  const reply = (t: TestBot, from: typeof admin, text: string, preview: Message) =>
    t.bot.handleUpdate(updateOf(textMessage({ chatId: STAFF_CHAT, from, text, replyTo: preview })));

  const row = async () => (await ctx.db.select().from(bulletins))[0]!;

  it('makes a new version: kept with its hash, the old preview marked replaced without buttons, a new preview below', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);

    await reply(t, admin, 'Mercato domenica in piazza Matteotti.', preview);

    const bulletin = await row();
    expect(bulletin).toMatchObject({
      version: 2,
      state: 'pending',
      text: 'Mercato domenica in piazza Matteotti.',
    });
    const versions = await ctx.db.select().from(bulletinVersions).orderBy(bulletinVersions.version);
    expect(versions.map((v) => [v.version, v.text, v.authorId])).toEqual([
      [1, 'Mercato domenica in piazza.', redattore.id],
      [2, 'Mercato domenica in piazza Matteotti.', admin.id],
    ]);
    expect(versions[0]!.hash).not.toBe(versions[1]!.hash);
    const [entry] = await ctx.db.select().from(auditLog).where(eq(auditLog.action, 'version'));
    expect(entry).toMatchObject({ actorId: admin.id, version: 2, hash: versions[1]!.hash });
    expect(t.api.calls('editMessageText')).toEqual([
      expect.objectContaining({
        message_id: preview.message_id,
        text: 'Bollettino n. 1, versione 1: sostituita dalla versione 2, qui sotto.\n\nMercato domenica in piazza.',
        reply_markup: { inline_keyboard: [] },
      }),
    ]);
    const next = t.api.calls('sendMessage').at(-1)!;
    expect(String(next.text)).toMatch(
      /^Bollettino n\. 1, versione 2: da approvare\.\nScritto da Rita, modificato da Anna\. Categoria: nessuna\.\n/,
    );
    expect(String(next.text).endsWith('\n\nMercato domenica in piazza Matteotti.')).toBe(true);
    expect((next.reply_markup as Keyboard).inline_keyboard[0]!.map((b) => b.callback_data)).toEqual([
      'approve:1:2',
      'reject:1:2',
    ]);
    expect(bulletin.previewMessageId).toBe(t.api.results<Message>('sendMessage').at(-1)!.message_id);
  });

  it('voids the approval of a bulletin approved but not yet started, and the new preview says so', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);
    const aldo = { userId: approvatore.id, name: 'Aldo', adminIds: [approvatore.id] };
    await scheduleBulletin(ctx.db, { ...aldo, bulletinId: 1, at: new Date(Date.now() + 3_600_000) });
    await approve(ctx.db, { ...aldo, bulletinId: 1, version: 1 });
    await ctx.db.update(bulletins).set({ approvedVersion: 1, approvedHash: 'h1' });
    expect((await row()).state).toBe('approved');

    await reply(t, redattore, 'Mercato spostato a lunedì.', preview);

    expect(await row()).toMatchObject({
      state: 'pending',
      version: 2,
      approvedVersion: null,
      approvedHash: null,
      decidedBy: null,
    });
    const text = String(t.api.calls('sendMessage').at(-1)!.text);
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Bollettino n. 1, versione 2: da approvare.',
      'Il testo è cambiato dopo l’approvazione: l’approvazione non vale più, va approvato di nuovo.',
    ]);
  });

  it('is also made with /bozza in reply to the preview', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);

    await reply(t, redattore, '/bozza Mercato sospeso.', preview);

    expect(await row()).toMatchObject({ version: 2, text: 'Mercato sospeso.' });
    expect(await ctx.db.select().from(bulletins)).toHaveLength(1);
  });

  it('takes a photo in reply: the bulletin becomes a media bulletin and the new preview is the photo', async () => {
    server = await startBotApiServer();
    const bot = createBot({
      config: testConfig({ TELEGRAM_API_ROOT: server.apiRoot }),
      db: ctx.db,
      logger: captureLogger().logger,
      botInfo,
    });
    await bot.handleUpdate(
      updateOf(textMessage({ chatId: STAFF_CHAT, from: admin, text: '/bozza Nuova piazza.' })),
    );
    const preview = server.results<Message>('sendMessage')[0]!;
    server.addFile('PHOTO-9', Buffer.from('jpeg bytes'));

    await bot.handleUpdate(
      updateOf(
        fileMessage({
          chatId: STAFF_CHAT,
          from: admin,
          file: { kind: 'photo', fileId: 'PHOTO-9' },
          replyTo: preview,
        }),
      ),
    );

    const bulletin = await row();
    expect(bulletin).toMatchObject({ version: 2, text: 'Nuova piazza.' });
    expect(bulletin.mediaId).not.toBeNull();
    const [photo] = server.calls('sendPhoto');
    expect(photo).toMatchObject({ photo: 'PHOTO-9' });
    expect(String(photo?.caption)).toMatch(/^Bollettino n\. 1, versione 2: da approvare\./);
    expect(server.calls('editMessageText')[0]).toMatchObject({ message_id: preview.message_id });
  });

  it('refuses once the bulletin has started sending, and changes nothing', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);
    await approve(ctx.db, {
      bulletinId: 1,
      version: 1,
      userId: approvatore.id,
      name: 'Aldo',
      adminIds: [approvatore.id],
    });

    await reply(t, redattore, 'Troppo tardi.', preview);

    expect(t.sent().at(-1)).toBe(
      'Questo bollettino non si può più modificare: è già partito, oppure è stato rifiutato o ritirato.',
    );
    expect(await row()).toMatchObject({ version: 1, state: 'sending' });
    expect(await ctx.db.select().from(bulletinVersions)).toHaveLength(1);
  });

  it('refuses a person without a role, and changes nothing', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);

    await reply(t, stranger, 'Testo mio.', preview);

    expect(t.sent().at(-1)).toBe('Non hai un ruolo nello staff.');
    expect(await row()).toMatchObject({ version: 1, text: 'Mercato domenica in piazza.' });
    expect(t.api.calls('editMessageText')).toEqual([]);
  });

  it('leaves alone replies to other messages, and other commands in reply to a preview', async () => {
    const t = createTestBot(ctx.db);
    const preview = await drafted(t);
    const someone = textMessage({ chatId: STAFF_CHAT, from: redattore, text: 'Ci sentiamo dopo' });

    await reply(t, admin, 'Va bene', someone);
    await reply(t, admin, '/aiuto', preview);
    await ctx.db.execute(sql`UPDATE bulletins SET preview_message_id = NULL`);
    await reply(t, admin, 'Ancora?', preview);

    expect(await row()).toMatchObject({ version: 1 });
    expect(t.sent().filter((text) => text.startsWith('Bollettino'))).toHaveLength(1);
  });
});

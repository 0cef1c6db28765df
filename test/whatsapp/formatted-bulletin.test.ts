import { eq } from 'drizzle-orm';
import type { Message, MessageEntity } from 'grammy/types';
import { expect, it, vi } from 'vitest';
import { bulletins, bulletinVersions } from '../../src/db/schema.js';
import { buttonData } from '../../src/telegram/callback-data.js';
import { callbackUpdate, messageUpdate } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seededJid, seedSubscribers } from '../helpers/seed.js';
import { readableText } from '../helpers/wa-socket.js';
import {
  admin,
  approvatore,
  createTestBot,
  redattore,
  STAFF_CHAT,
  type TestBot,
} from '../telegram/support.js';

// "/bozza " is 7 characters: the entities below are at Telegram's offsets in the whole message.
const TEXT = '/bozza 📢 Strada chiusa: via Roma (lavori), vecchio orario, vedi bando, info https://c.example';
const at = (word: string) => TEXT.indexOf(word);
const ENTITIES: MessageEntity[] = [
  { type: 'bold', offset: at('Strada'), length: 'Strada chiusa'.length },
  { type: 'italic', offset: at('via Roma'), length: 'via Roma'.length },
  { type: 'underline', offset: at('lavori'), length: 'lavori'.length },
  { type: 'strikethrough', offset: at('vecchio orario'), length: 'vecchio orario'.length },
  { type: 'text_link', offset: at('bando'), length: 'bando'.length, url: 'https://c.example/bando' },
  { type: 'url', offset: at('https://c.example'), length: 'https://c.example'.length },
];
const WHATSAPP =
  '📢 *Strada chiusa*: _via Roma_ (_lavori_), ~vecchio orario~, vedi bando (https://c.example/bando), ' +
  'info https://c.example';

describeWithDatabase('a formatted bulletin, Telegram to WhatsApp', (ctx) => {
  const harness = bridgeHarness(ctx);

  async function draft(t: TestBot): Promise<Message> {
    await t.bot.handleUpdate(
      messageUpdate({ chatId: STAFF_CHAT, from: redattore, text: TEXT, entities: ENTITIES.slice() }),
    );
    return t.api.results<Message>('sendMessage').at(-1)!;
  }

  async function staff(): Promise<TestBot> {
    const t = createTestBot(ctx.db);
    await t.say(admin, `/ruolo ${redattore.id} redattore`);
    await t.say(admin, `/ruolo ${approvatore.id} approvatore`);
    return t;
  }

  it('keeps text and entities, previews them as entities and sends them as WhatsApp markup', async () => {
    await seedSubscribers(ctx.db, 2);
    const t = await staff();
    const preview = await draft(t);

    const body = (await ctx.db.select().from(bulletinVersions))[0]!.body;
    const text = TEXT.slice('/bozza '.length);
    expect(body.text).toBe(text);
    expect(body.entities).toEqual(
      expect.arrayContaining(ENTITIES.map((e) => ({ ...e, offset: e.offset - '/bozza '.length }))),
    );
    expect(body.entities).toHaveLength(6);
    const [row] = await ctx.db.select().from(bulletins);
    expect(row?.body).toEqual(body);

    // The preview shows the body at its end, each entity where the body's text now is.
    const sent = t.api.calls('sendMessage').at(-1)!;
    const shownAt = String(sent.text).length - text.length;
    expect(String(sent.text).endsWith(text)).toBe(true);
    expect(sent.entities).toEqual(
      expect.arrayContaining(body.entities.map((e) => ({ ...e, offset: e.offset + shownAt }))),
    );

    const { socket } = await harness.start();
    socket.open();
    await t.bot.handleUpdate(
      callbackUpdate({
        from: approvatore,
        data: buttonData({ action: 'approve', bulletinId: 1, version: 1 }),
        message: preview,
      }),
    );
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(2), { timeout: 20_000 });
    for (const m of socket.sent.filter((s) => s.message)) expect(readableText(m.message!)).toBe(WHATSAPP);
  });

  it('ends the 1:1 message with the public link when BULLETIN_LINK is on', async () => {
    await seedSubscribers(ctx.db, 1);
    const t = await staff();
    const preview = await draft(t);
    const { socket } = await harness.start({
      config: { publicBaseUrl: 'https://notizie.comune.example', bulletinLink: true },
    });
    socket.open();
    await t.bot.handleUpdate(
      callbackUpdate({
        from: approvatore,
        data: buttonData({ action: 'approve', bulletinId: 1, version: 1 }),
        message: preview,
      }),
    );
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(1), { timeout: 20_000 });
    const [m] = socket.sent.filter((s) => s.message);
    expect(m?.jid).toBe(seededJid(1));
    expect(readableText(m!.message!)).toBe(
      `${WHATSAPP}\n\nVerifica: https://notizie.comune.example/bollettini/1`,
    );
  });

  it('makes a new version with a new hash when a reply changes only the formatting', async () => {
    const t = await staff();
    const preview = await draft(t);
    const plain = TEXT.slice('/bozza '.length);

    // The same words, with no formatting at all: still another version, bound to another hash.
    const url: MessageEntity = { type: 'url', offset: plain.indexOf('https'), length: 17 };
    await t.bot.handleUpdate(
      messageUpdate({ chatId: STAFF_CHAT, from: redattore, text: plain, entities: [url], replyTo: preview }),
    );

    const versions = await ctx.db
      .select()
      .from(bulletinVersions)
      .where(eq(bulletinVersions.bulletinId, 1))
      .orderBy(bulletinVersions.version);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions.map((v) => v.hashScheme)).toEqual(['body', 'body']);
    expect(versions[1]!.hash).not.toBe(versions[0]!.hash);
    expect(versions[1]!.body).toEqual({ text: plain, entities: [url] });
    expect(versions[1]!.text).toBe(versions[0]!.text);
  });
});

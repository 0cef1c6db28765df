import { pino } from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { auditEntries } from '../../src/core/audit.js';
import { bridgeStatus } from '../../src/core/bridge-state.js';
import { setRole } from '../../src/core/staff.js';
import { channelRequests, whatsappChannel } from '../../src/db/schema.js';
import { startChannelReplies } from '../../src/telegram/channel.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { cloudEnv } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';
import { admin, approvatore, createTestBot, type TestBot } from './support.js';

const admins = [admin.id];
const CITIZEN = '393331112299@s.whatsapp.net';

describeWithDatabase('/canale: the WhatsApp Channel from the staff group', (ctx) => {
  const wa = bridgeHarness(ctx);
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  /** The staff bot, its reply editor, and (unless `linked` is false) a linked bridge. */
  async function arrange(options: { linked?: boolean } = {}) {
    const t = createTestBot(ctx.db, {}, { outlets: ['whatsapp', 'whatsapp_channel'] });
    const replies = await startChannelReplies({
      db: ctx.db,
      listen: ctx.database.listen,
      api: t.bot.api,
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 200,
    });
    stops.push(() => replies.stop());
    if (options.linked === false) return { t, socket: undefined };
    const { bridge, socket } = await wa.start({ channel: { pollMs: 200 } });
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'), { timeout: 10_000 });
    // The bot reads the link from the database, which the bridge writes a moment later.
    await vi.waitFor(async () => expect((await bridgeStatus(ctx.db)).link).toBe('open'), { timeout: 10_000 });
    return { t, socket };
  }

  /** The text of the bot's `n`-th edit, once the bridge's answer has come. */
  async function edited(t: TestBot, n = 1): Promise<string> {
    await vi.waitFor(() => expect(t.api.calls('editMessageText').length).toBeGreaterThanOrEqual(n), {
      timeout: 10_000,
    });
    return String(t.api.calls('editMessageText')[n - 1]!.text);
  }

  async function say(socket: StandInSocket, text: string) {
    const before = wa.replies(socket, CITIZEN).length;
    socket.receive([incomingText({ from: CITIZEN, text })]);
    await vi.waitFor(() => expect(wa.replies(socket, CITIZEN).length).toBe(before + 1), { timeout: 10_000 });
    return wa.replies(socket, CITIZEN).at(-1)!;
  }

  it('creates a Channel owned by the linked number and edits its reply with the invite link', async () => {
    const { t, socket } = await arrange();
    await t.say(admin, '/canale crea Notizie di Prova');

    expect(t.sent()).toEqual(['Creo il canale WhatsApp «Notizie di Prova»…']);
    const text = await edited(t);
    const [created] = socket!.newsletters.values();
    expect(socket!.newsletterCalls[0]).toEqual({
      method: 'newsletterCreate',
      args: ['Notizie di Prova', undefined],
    });
    expect(text).toBe(
      [
        'Canale WhatsApp creato: i bollettini approvati ci saranno pubblicati.',
        'Canale WhatsApp: Notizie di Prova',
        'Follower: 0',
        'Ruolo del numero collegato: proprietario',
        `Link di invito: https://whatsapp.com/channel/${created!.invite}`,
      ].join('\n'),
    );
    expect(t.api.calls('editMessageText')[0]).toMatchObject({
      message_id: t.api.results<{ message_id: number }>('sendMessage')[0]!.message_id,
    });
    expect(await ctx.db.select().from(whatsappChannel)).toEqual([
      expect.objectContaining({ jid: created!.jid, role: 'OWNER', inviteCode: created!.invite }),
    ]);
    expect((await auditEntries(ctx.db)).map((e) => e.action)).toEqual(['channel_set', 'channel_request']);
  });

  it('adopts a Channel where the linked number is admin, by its invite link', async () => {
    const { t, socket } = await arrange();
    const existing = socket!.addNewsletter({ name: 'Comune Informa', role: 'ADMIN', subscribers: 1234 });
    await t.say(admin, `/canale collega https://whatsapp.com/channel/${existing.invite}`);

    expect(await edited(t)).toContain('Canale WhatsApp collegato');
    expect(await edited(t)).toContain('Follower: 1.234');
    // Adopting reads the Channel once, by its invite; the outlet's health check may read it by jid
    // meanwhile (it did once, in a slow run).
    expect(socket!.newsletterCalls.filter((call) => call.args[0] !== 'jid')).toEqual([
      { method: 'newsletterMetadata', args: ['invite', existing.invite] },
    ]);
    expect(await ctx.db.select().from(whatsappChannel)).toEqual([
      expect.objectContaining({ jid: existing.jid, role: 'ADMIN', followers: 1234 }),
    ]);
  });

  it('refuses a Channel where the linked number is only a follower, and one that does not exist', async () => {
    const { t, socket } = await arrange();
    const followed = socket!.addNewsletter({ name: 'Altro canale', role: 'SUBSCRIBER' });
    await t.say(admin, `/canale collega whatsapp.com/channel/${followed.invite}`);
    expect(await edited(t)).toContain('non è proprietario né amministratore');

    await t.say(admin, '/canale collega https://whatsapp.com/channel/0029VaNessunoQui00000');
    expect(await edited(t, 2)).toContain('Canale non trovato');
    expect(await ctx.db.select().from(whatsappChannel)).toEqual([]);
  });

  it('refuses a link that is not a Channel invite, without asking WhatsApp', async () => {
    const { t, socket } = await arrange();
    await t.say(admin, '/canale collega https://example.com/channel/0029VaAbcdefghijk');
    expect(t.sent()).toEqual([
      'Link di invito non valido: usa il link del canale, es. /canale collega https://whatsapp.com/channel/0029Va…',
    ]);
    expect(await ctx.db.select().from(channelRequests)).toEqual([]);
    expect(socket!.newsletterCalls).toEqual([]);
  });

  it('refuses while WhatsApp is not linked, and to anyone but an amministratore', async () => {
    const { t } = await arrange({ linked: false });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    await t.say(admin, '/canale crea Notizie');
    await t.say(approvatore, '/canale crea Notizie');
    await t.say(approvatore, '/canale scollega');

    expect(t.sent()).toEqual([
      'WhatsApp non è collegato: collega prima il numero del Comune (/stato).',
      'Il tuo ruolo non lo consente.',
      'Il tuo ruolo non lo consente.',
    ]);
    expect(await ctx.db.select().from(channelRequests)).toEqual([]);
  });

  it('shows the Channel with its followers read again from WhatsApp, then unlinks it', async () => {
    const { t, socket } = await arrange();
    const existing = socket!.addNewsletter({ name: 'Comune Informa', role: 'OWNER', subscribers: 10 });
    await t.say(admin, `/canale collega ${existing.invite}`);
    await edited(t);
    existing.subscribers = 2345;

    await t.say(admin, '/canale');
    expect(t.sent().at(-1)).toContain('Follower: 10\n');
    expect(await edited(t, 2)).toContain('Follower: 2.345');

    await t.say(admin, '/canale crea Un altro');
    expect(t.sent().at(-1)).toContain('C’è già un canale WhatsApp impostato');

    await t.say(admin, '/canale scollega');
    expect(t.sent().at(-1)).toBe(
      'Canale «Comune Informa» scollegato: i bollettini non ci vanno più. Il canale resta su WhatsApp.',
    );
    expect(await ctx.db.select().from(whatsappChannel)).toEqual([]);
    await t.say(admin, '/canale scollega');
    expect(t.sent().at(-1)).toContain('Nessun canale WhatsApp impostato');
  });

  it('puts the followers in /iscritti and /stato', async () => {
    const { t, socket } = await arrange();
    const existing = socket!.addNewsletter({ name: 'Comune Informa', role: 'OWNER', subscribers: 1234 });
    await t.say(admin, `/canale collega ${existing.invite}`);
    await edited(t);

    await t.say(admin, '/iscritti');
    expect(String(t.api.calls('sendPhoto')[0]?.caption)).toContain(
      'Follower del canale WhatsApp «Comune Informa»: 1.234',
    );
    await t.say(admin, '/stato');
    expect(t.sent().at(-1)).toContain('1.234 follower');
  });

  it('gives citizens the invite link in the welcome and in LISTE once a Channel is set', async () => {
    const { t, socket } = await arrange();
    expect(await say(socket!, 'LISTE')).not.toContain('whatsapp.com/channel');

    const existing = socket!.addNewsletter({ name: 'Comune Informa', role: 'OWNER' });
    await t.say(admin, `/canale collega ${existing.invite}`);
    await edited(t);
    const link = `https://whatsapp.com/channel/${existing.invite}`;

    expect(await say(socket!, 'Iscrizione')).toContain(
      `Segui anche il canale WhatsApp del Comune di Prova: ${link}`,
    );
    expect(await say(socket!, 'LISTE')).toContain(
      `Segui anche il canale WhatsApp del Comune di Prova: ${link}`,
    );
  });

  it('says the Channel needs the linked number when the Cloud API sends, and asks no bridge', async () => {
    const t = createTestBot(ctx.db, cloudEnv('http://127.0.0.1:9/v23.0'));
    await t.say(admin, '/canale crea Notizie');
    expect(t.sent()).toEqual([
      'Il canale WhatsApp si pubblica con un telefono collegato (WA_TRANSPORT=baileys): con l’API Cloud di WhatsApp non si può creare né collegare.',
    ]);
    expect(await ctx.db.select().from(channelRequests)).toEqual([]);
  });
});

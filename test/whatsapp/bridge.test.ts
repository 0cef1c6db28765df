import { DisconnectReason } from '@whiskeysockets/baileys';
import { count, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { deliveryMessageId, messageIdSecret } from '../../src/core/message-id.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { deliveries, subscribers, waAuth } from '../../src/db/schema.js';
import type { Bridge } from '../../src/whatsapp/bridge.js';
import { startBridgeWithEngine } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { bridgeConfig, incomingText, type StandInSocket, standInFactory } from '../helpers/wa-socket.js';

const comune = {
  name: 'Comune di Prova',
  phone: '055 000000',
  email: 'urp@comune.prova.it',
  privacyUrl: 'https://comune.prova.it/privacy',
};
const logger = pino({ level: 'silent' });
const admins = [1];

describeWithDatabase('WhatsApp bridge', (ctx) => {
  let bridge: Bridge | undefined;
  let factory: ReturnType<typeof standInFactory>;
  const qrs: string[] = [];

  async function start() {
    factory = standInFactory();
    bridge = await startBridgeWithEngine({
      config: bridgeConfig({ comune }),
      database: ctx.database,
      logger,
      makeSocket: factory.makeSocket,
      showQr: (qr) => {
        qrs.push(qr);
      },
      backoff: { baseMs: 5, maxMs: 20 },
    });
    return factory.latest();
  }

  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
    qrs.length = 0;
  });

  const repliesTo = (socket: StandInSocket, jid: string) =>
    socket.sent.filter((m) => m.jid === jid).map((m) => ('text' in m.content ? m.content.text : ''));

  it('shows the QR while unlinked and keeps the login in the database across a restart', async () => {
    const socket = await start();
    socket.update({ qr: '2@abc,def' });
    await vi.waitFor(() => expect(qrs).toEqual(['2@abc,def']));
    expect(bridge!.state().link).toBe('waiting_for_link');

    socket.open();
    await vi.waitFor(() => expect(bridge!.state().link).toBe('open'));
    await vi.waitFor(async () => {
      const [row] = await ctx.db.select({ n: count() }).from(waAuth).where(eq(waAuth.type, 'creds'));
      expect(row?.n).toBe(1);
    });
    await bridge!.stop();

    const again = await start();
    expect(again.options.auth.creds.me?.id).toBe('390550000000:1@s.whatsapp.net');
    expect(bridge!.state().linked).toBe(true);
  });

  it('subscribes on "Iscrizione" and unsubscribes on "Cancella", whatever the case and punctuation', async () => {
    const socket = await start();
    socket.open();
    socket.receive([incomingText({ from: '393331112222@s.whatsapp.net', text: '  ISCRIZIONE!! ' })]);
    await vi.waitFor(() => expect(repliesTo(socket, '393331112222@s.whatsapp.net')).toHaveLength(1));
    const [welcome] = repliesTo(socket, '393331112222@s.whatsapp.net');
    expect(welcome).toContain(comune.privacyUrl);
    expect(welcome).toContain('Cancella');
    expect(await countActiveSubscribers(ctx.db)).toBe(1);

    socket.receive([incomingText({ from: '393331112222@s.whatsapp.net', text: 'cancella.' })]);
    await vi.waitFor(() => expect(repliesTo(socket, '393331112222@s.whatsapp.net')).toHaveLength(2));
    expect(repliesTo(socket, '393331112222@s.whatsapp.net')[1]).toContain('non riceverai più');
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('handles a sender writing from a LID, learning the phone jid from the alternate', async () => {
    const socket = await start();
    socket.open();
    socket.receive([
      incomingText({ from: '123456789@lid', alt: '393334445555@s.whatsapp.net', text: 'Iscrizione' }),
    ]);
    await vi.waitFor(() => expect(repliesTo(socket, '123456789@lid')).toHaveLength(1));
    const [row] = await ctx.db.select().from(subscribers);
    expect(row).toMatchObject({ lid: '123456789@lid', phoneJid: '393334445555@s.whatsapp.net' });

    socket.receive([incomingText({ from: '393334445555@s.whatsapp.net', text: 'Cancella' })]);
    await vi.waitFor(() => expect(repliesTo(socket, '393334445555@s.whatsapp.net')).toHaveLength(1));
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('answers any other message once, naming the contact phone and e-mail', async () => {
    const socket = await start();
    socket.open();
    const message = incomingText({ from: '393330000001@s.whatsapp.net', text: 'A che ora apre il comune?' });
    socket.receive([message]);
    socket.receive([message], 'append');
    await vi.waitFor(() => expect(repliesTo(socket, '393330000001@s.whatsapp.net')).toHaveLength(1));
    const [reply] = repliesTo(socket, '393330000001@s.whatsapp.net');
    expect(reply).toContain(comune.phone);
    expect(reply).toContain(comune.email);
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('handles messages replayed after a restart (append) once, also across restarts', async () => {
    let socket = await start();
    socket.open();
    const message = incomingText({ from: '393330000002@s.whatsapp.net', text: 'Iscrizione' });
    socket.receive([message], 'append');
    await vi.waitFor(() => expect(repliesTo(socket, '393330000002@s.whatsapp.net')).toHaveLength(1));
    await bridge!.stop();

    socket = await start();
    socket.open();
    socket.receive([message], 'append');
    socket.receive([incomingText({ from: '393330000003@s.whatsapp.net', text: 'iscrizione' })], 'append');
    await vi.waitFor(() => expect(repliesTo(socket, '393330000003@s.whatsapp.net')).toHaveLength(1));
    expect(repliesTo(socket, '393330000002@s.whatsapp.net')).toHaveLength(0);
  });

  it('ignores own messages, groups and status updates', async () => {
    const socket = await start();
    socket.open();
    const own = incomingText({ from: '393330000004@s.whatsapp.net', text: 'Iscrizione' });
    own.key.fromMe = true;
    socket.receive([
      own,
      incomingText({ from: '1203630000@g.us', text: 'Iscrizione' }),
      incomingText({ from: 'status@broadcast', text: 'Iscrizione' }),
    ]);
    socket.receive([incomingText({ from: '393330000005@s.whatsapp.net', text: 'Iscrizione' })]);
    await vi.waitFor(() => expect(socket.sent).toHaveLength(1), { timeout: 5_000 });
    expect(socket.sent[0]?.jid).toBe('393330000005@s.whatsapp.net');
  });

  it('rejects an incoming call once, however many times it fires', async () => {
    const socket = await start();
    socket.open();
    const call = {
      chatId: '393330000006@s.whatsapp.net',
      from: '393330000006@s.whatsapp.net',
      id: 'CALL1',
      date: new Date(),
      status: 'offer' as const,
      offline: false,
    };
    socket.call([call]);
    socket.call([call]);
    socket.call([{ ...call, status: 'ringing' as const }]);
    await vi.waitFor(() => expect(socket.rejectedCalls).toEqual(['CALL1']));
  });

  it('sends an approved bulletin once to each subscriber under its derived id and reports to staff', async () => {
    const socket = await start();
    socket.open();
    socket.receive([
      incomingText({ from: '393330000007@s.whatsapp.net', text: 'Iscrizione' }),
      incomingText({ from: '987654321@lid', text: 'Iscrizione' }),
    ]);
    await vi.waitFor(async () => expect(await countActiveSubscribers(ctx.db)).toBe(2));
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Strade chiuse domani', adminIds: admins });
    const { queued } = await approve(ctx.db, {
      bulletinId: draft.id,
      version: 1,
      userId: 2,
      name: 'Approvatore',
      adminIds: [1, 2],
    });
    expect(queued).toBe(2);

    await vi.waitFor(async () => expect(await unpostedNotices(ctx.db)).toHaveLength(1));
    const bulletinSends = socket.sent.filter(
      (m) => 'text' in m.content && m.content.text === 'Strade chiuse domani',
    );
    expect(bulletinSends.map((m) => m.jid).sort()).toEqual(['393330000007@s.whatsapp.net', '987654321@lid']);
    const rows = await ctx.db.select().from(deliveries);
    const secret = await messageIdSecret(ctx.db);
    for (const send of bulletinSends) {
      const row = rows.find((r) => deliveryMessageId(secret, draft.id, r.subscriberId) === send.messageId);
      expect(row?.state).toBe('sent');
    }
    const [notice] = await unpostedNotices(ctx.db);
    expect(notice?.notice).toEqual({ kind: 'bulletin_sent', bulletinId: draft.id, sent: 2, failed: 0 });
  });

  it('waits for pending notifications before sending', async () => {
    const socket = await start();
    socket.update({ connection: 'open' });
    socket.receive([incomingText({ from: '393330000008@s.whatsapp.net', text: 'Iscrizione' })]);
    await vi.waitFor(async () => expect(await countActiveSubscribers(ctx.db)).toBe(1));
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: admins });
    await approve(ctx.db, {
      bulletinId: draft.id,
      version: 1,
      userId: 2,
      name: 'Approvatore',
      adminIds: [1, 2],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(socket.sent.filter((m) => m.messageId)).toHaveLength(0);

    socket.update({ receivedPendingNotifications: true });
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.messageId)).toHaveLength(1));
  });

  it('reconnects at once on 515, backs off on 428, stops on 440 and forgets the login on 401', async () => {
    const first = await start();
    first.open();
    first.close(DisconnectReason.restartRequired);
    await vi.waitFor(() => expect(factory.made).toHaveLength(2));

    factory.latest().close(DisconnectReason.connectionClosed);
    await vi.waitFor(() => expect(factory.made).toHaveLength(3));

    factory.latest().close(DisconnectReason.loggedOut);
    await vi.waitFor(() => expect(factory.made).toHaveLength(4));
    expect(factory.latest().options.auth.creds.me).toBeUndefined();
    const [row] = await ctx.db.select({ n: count() }).from(waAuth);
    expect(row?.n).toBe(0);

    factory.latest().close(DisconnectReason.connectionReplaced);
    await vi.waitFor(() => expect(bridge!.state().link).toBe('replaced'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(factory.made).toHaveLength(4);
  });
});

import { createHmac } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import { count, eq, isNotNull, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { acceptInbound } from '../../src/core/inbound.js';
import { pruneReplies, queueReply } from '../../src/core/replies.js';
import { secret } from '../../src/core/secrets.js';
import { pauseQueue, resumeQueue } from '../../src/core/send-control.js';
import { recentSends } from '../../src/core/send-history.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { inboundMessages, replies } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';

const PN = '393339990000@s.whatsapp.net';
const other = (n: number) => `39333888${String(n).padStart(4, '0')}@s.whatsapp.net`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
/** Answers go through the database and the sender: seconds on a busy machine. */
const WAIT = { timeout: 10_000 };
const limits = { perSenderPerHour: 3, cooldownHours: 24, maxDelayMinutes: 60 };

/** An edit of message `id`, as WhatsApp sends it: a new message id wrapping the new text. */
function edit(id: string, text: string) {
  return incomingText({
    from: PN,
    text: '',
    message: {
      editedMessage: {
        message: {
          protocolMessage: {
            type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
            key: { remoteJid: PN, id, fromMe: false },
            editedMessage: { conversation: text },
          },
        },
      },
    },
  });
}

describeWithDatabase('the reply budget', (ctx) => {
  const wa = bridgeHarness(ctx);
  const handled = async () =>
    (await ctx.db.select({ n: count() }).from(inboundMessages).where(isNotNull(inboundMessages.handledAt)))[0]
      ?.n ?? 0;

  async function open(config: Parameters<typeof wa.start>[0] = {}) {
    const started = await wa.start(config);
    started.socket.open();
    return started.socket;
  }

  /** Sends each text from PN, one message at a time, and waits until all are handled. */
  async function write(socket: StandInSocket, texts: string[], from = PN) {
    const before = await handled();
    for (const text of texts) socket.receive([incomingText({ from, text })]);
    await vi.waitFor(async () => expect(await handled()).toBe(before + texts.length), { timeout: 10_000 });
    await settle();
  }

  it('answers one person at most REPLY_MAX_PER_SENDER_HOUR times an hour, and still applies what they ask', async () => {
    const socket = await open({ config: { replyMaxPerSenderHour: 3 } });
    await write(socket, ['Iscrizione', 'LISTE', 'Cancella', 'Iscrizione', 'ciao', 'Cancella']);
    const answers = wa.replies(socket, PN);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toContain('Iscrizione fatta');
    expect(answers[2]).toContain('Cancellazione fatta');
    // The last "Cancella" was applied although no reply could go.
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
    await write(socket, ['Iscrizione']);
    expect(await countActiveSubscribers(ctx.db)).toBe(1);
    expect(wa.replies(socket, PN)).toHaveLength(3);
  });

  it('never sends the same reply twice within the cooldown: LISTE, already subscribed, not subscribed, unknown list', async () => {
    const socket = await open();
    await write(socket, ['LISTE', 'LISTE', 'liste', 'Lista']);
    expect(wa.replies(socket, PN)).toHaveLength(1);
    await write(socket, ['Cancella', 'Cancella', 'STOP']);
    expect(wa.replies(socket, PN)).toHaveLength(2);
    expect(wa.replies(socket, PN)[1]).toContain('Non risulti iscritto');
    await write(socket, ['Iscrizione sport', 'Iscrizione sport']);
    expect(wa.replies(socket, PN)).toHaveLength(3);
    expect(wa.replies(socket, PN)[2]).toContain('Non esiste una lista "sport"');
    await write(socket, ['Iscrizione', 'Iscrizione', 'Iscrizione']);
    const answers = wa.replies(socket, PN);
    expect(answers).toHaveLength(5);
    expect(answers[3]).toContain('Iscrizione fatta');
    expect(answers[4]).toContain('Sei già iscritto');
  });

  it('confirms a change again (joined after leaving), which is no repeat', async () => {
    const socket = await open();
    await write(socket, ['Iscrizione', 'Cancella', 'Iscrizione']);
    const answers = wa.replies(socket, PN);
    expect(answers).toHaveLength(3);
    expect(answers[2]).toContain('Iscrizione fatta');
  });

  it('reads an edit as the message it edits: an answered message edited again gets nothing', async () => {
    const socket = await open();
    socket.receive([incomingText({ from: PN, text: 'Iscrizione', id: '3AORIGINAL0000000001' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(1), WAIT);
    for (const text of ['Cancella', 'LISTE', 'ciao']) socket.receive([edit('3AORIGINAL0000000001', text)]);
    await settle();
    expect(wa.replies(socket, PN)).toHaveLength(1);
    expect(await countActiveSubscribers(ctx.db)).toBe(1);
    // An edit of a message never seen (it failed to decrypt) is that message, answered once.
    socket.receive([edit('3AUNSEEN00000000001', 'LISTE'), edit('3AUNSEEN00000000001', 'LISTE!')]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(2), WAIT);
    await settle();
    expect(wa.replies(socket, PN)).toHaveLength(2);
  });

  it('waits while the queue is paused, with the opt-in recorded at once', async () => {
    await pauseQueue(ctx.db, { reason: 'limitazione', signal: 'error_463' });
    const socket = await open();
    await write(socket, ['Iscrizione']);
    await write(socket, ['Iscrizione'], other(1));
    expect(await countActiveSubscribers(ctx.db)).toBe(2);
    expect(socket.sent).toEqual([]);
    await resumeQueue(ctx.db);
    await vi.waitFor(() => expect(socket.sent).toHaveLength(2), WAIT);
    expect(wa.replies(socket, PN)[0]).toContain('Iscrizione fatta');
  });

  it('drops a held-back reply once it is REPLY_MAX_DELAY_MINUTES late, and forgets its address', async () => {
    await pauseQueue(ctx.db, { reason: 'limitazione', signal: 'error_463' });
    const socket = await open();
    await write(socket, ['Iscrizione']);
    await ctx.db.execute(sql`UPDATE replies SET expires_at = now() - interval '1 minute'`);
    await pruneReplies(ctx.db, 24);
    await resumeQueue(ctx.db);
    await write(socket, ['Iscrizione'], other(2));
    await vi.waitFor(() => expect(wa.replies(socket, other(2))).toHaveLength(1), WAIT);
    expect(wa.replies(socket, PN)).toEqual([]);
    const rows = await ctx.db.select().from(replies).orderBy(replies.id);
    expect(rows.map((r) => r.state)).toEqual(['dropped', 'sent']);
    expect(rows.map((r) => [r.jid, r.text])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('applies a leftover that waited past REPLY_MAX_DELAY_MINUTES but sends no stale reply', async () => {
    await acceptInbound(ctx.db, [
      { messageId: '3AOLD00000000000001', phoneJid: PN, replyJid: PN, keyword: { action: 'subscribe' } },
    ]);
    await ctx.db.execute(sql`UPDATE inbound_messages SET received_at = now() - interval '2 hours'`);
    const socket = await open();
    await vi.waitFor(async () => expect(await handled()).toBe(1), WAIT);
    await write(socket, ['Iscrizione'], other(3));
    await vi.waitFor(() => expect(wa.replies(socket, other(3))).toHaveLength(1), WAIT);
    expect(await countActiveSubscribers(ctx.db)).toBe(2);
    expect(wa.replies(socket, PN)).toEqual([]);
  });

  it('counts replies against SEND_MAX_PER_HOUR: past it they wait, and bulletins see them sent', async () => {
    const socket = await open({
      config: {
        sendPacing: 'on',
        sendRatePerMinute: 60,
        sendLimits: { maxPerHour: 2, maxPerDay: 1000, warmupDays: 0, maxAttempts: 5 },
      },
    });
    for (const n of [1, 2, 3]) socket.receive([incomingText({ from: other(n), text: 'Iscrizione' })]);
    await vi.waitFor(() => expect(socket.sent).toHaveLength(2), { timeout: 10_000 });
    await settle();
    expect(socket.sent).toHaveLength(2);
    expect(await countActiveSubscribers(ctx.db)).toBe(3);
    expect((await recentSends(ctx.db)).lastHour).toBe(2);
    const [owed] = await ctx.db.select({ n: count() }).from(replies).where(eq(replies.state, 'owed'));
    expect(owed?.n).toBe(1);
  });

  it('answers a call under the same budget as a message', async () => {
    const socket = await open();
    await write(socket, ['ciao']);
    socket.call([{ chatId: PN, from: PN, id: 'CALL-9', date: new Date(), status: 'offer', offline: false }]);
    await vi.waitFor(() => expect(socket.rejectedCalls).toEqual(['CALL-9']), WAIT);
    await settle();
    expect(wa.replies(socket, PN)).toHaveLength(1);
  });
});

describeWithDatabase('reply keys', (ctx) => {
  it('are keyed hashes under the installation secret, never the number or the text', async () => {
    await queueReply(ctx.db, { sender: PN, jid: PN, text: 'Testo' }, limits);
    const [row] = await ctx.db.select().from(replies);
    const salt = await secret(ctx.db, 'reply_salt');
    expect(salt.length).toBe(32);
    expect(row?.senderKey).toBe(createHmac('sha256', salt).update(`sender:${PN}`).digest('base64url'));
    expect(row?.senderKey).not.toContain('3339990000');
    // Another installation (another secret) derives other keys for the same person.
    await ctx.db.execute(sql`DELETE FROM secrets`);
    await ctx.db.execute(sql`DELETE FROM replies`);
    await queueReply(ctx.db, { sender: PN, jid: PN, text: 'Testo' }, limits);
    const [again] = await ctx.db.select().from(replies);
    expect(again?.senderKey).not.toBe(row?.senderKey);
  });

  it('are forgotten after the cooldown, and rows go once the daily cap no longer counts them', async () => {
    for (const n of [1, 2, 3])
      await queueReply(ctx.db, { sender: other(n), jid: other(n), text: 'x' }, limits);
    await ctx.db.execute(sql`UPDATE replies SET state = 'sent', sent_at = now(), jid = null, text = null`);
    await ctx.db.execute(sql`UPDATE replies SET created_at = now() - interval '3 hours' WHERE id = 1`);
    await ctx.db.execute(
      sql`UPDATE replies SET created_at = now() - interval '25 hours', sent_at = now() - interval '25 hours' WHERE id = 2`,
    );
    expect(await pruneReplies(ctx.db, 2)).toBe(1);
    const rows = await ctx.db.select().from(replies).orderBy(replies.id);
    expect(rows.map((r) => [r.id, r.senderKey === null, r.replyKey === null])).toEqual([
      [1, true, true],
      [3, false, false],
    ]);
    // Within the cooldown the same reply is still held back; after it, it goes again.
    expect(await queueReply(ctx.db, { sender: other(3), jid: other(3), text: 'x' }, limits)).toBe('repeat');
    expect(await queueReply(ctx.db, { sender: other(1), jid: other(1), text: 'x' }, limits)).toBe('queued');
  });
});

import { sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { replies } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { refuseFirstReplyMark } from '../helpers/refuse-mark.js';
import { incomingText } from '../helpers/wa-socket.js';

const PN = '393339990000@s.whatsapp.net';
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describeWithDatabase('automatic reply and calls', (ctx) => {
  const wa = bridgeHarness(ctx);

  async function open(cooldownHours = 24) {
    const started = await wa.start({ config: { autoReplyCooldownHours: cooldownHours } });
    started.socket.open();
    return started.socket;
  }

  it('answers other messages at most once per cooldown, so two bots cannot loop', async () => {
    const socket = await open();
    socket.receive([incomingText({ from: PN, text: 'Buongiorno, orari anagrafe?' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(1));
    expect(wa.replies(socket, PN)[0]).toContain('055 1234567');
    // Another bot answering our answer, ten times.
    for (let i = 0; i < 10; i++)
      socket.receive([incomingText({ from: PN, text: `Risposta automatica ${i}` })]);
    await settle();
    expect(wa.replies(socket, PN)).toHaveLength(1);
    // The cooldown is keyed by a hash, not by the number.
    expect(JSON.stringify(await ctx.db.select().from(replies))).not.toContain('3339990000');
  });

  it('answers again once the cooldown has passed, and keywords are always answered', async () => {
    const socket = await open();
    socket.receive([incomingText({ from: PN, text: 'ciao' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(1));
    socket.receive([incomingText({ from: PN, text: 'Iscrizione' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(2));
    await ctx.db.execute(sql`UPDATE replies SET created_at = now() - interval '25 hours'`);
    socket.receive([incomingText({ from: PN, text: 'ciao di nuovo' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(3));
  });

  it('answers every message with a cooldown of 0', async () => {
    const socket = await open(0);
    socket.receive([incomingText({ from: PN, text: 'uno' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(1));
    socket.receive([incomingText({ from: PN, text: 'due' })]);
    await vi.waitFor(() => expect(wa.replies(socket, PN)).toHaveLength(2));
  });

  it('rejects a call fired three times once, then sends the same cooled-down reply once', async () => {
    const socket = await open();
    const call = {
      chatId: '140000000000555@lid',
      from: '140000000000555@lid',
      callerPn: PN,
      id: 'CALL-1',
      date: new Date(),
      status: 'offer' as const,
      offline: false,
    };
    socket.call([call]);
    socket.call([call]);
    socket.call([call]);
    socket.call([{ ...call, status: 'timeout' as const }]);
    await vi.waitFor(() => expect(wa.replies(socket, '140000000000555@lid')).toHaveLength(1));
    await settle();
    expect(socket.rejectedCalls).toEqual(['CALL-1']);
    expect(wa.replies(socket, '140000000000555@lid')[0]).toContain('soltanto le notizie');

    // A second call and a message from the same person within the cooldown: rejected, not answered.
    socket.call([{ ...call, id: 'CALL-2' }]);
    socket.receive([incomingText({ from: PN, text: 'perché non rispondete?' })]);
    await vi.waitFor(() => expect(socket.rejectedCalls).toEqual(['CALL-1', 'CALL-2']));
    await settle();
    expect(wa.replies(socket, '140000000000555@lid')).toHaveLength(1);
    expect(wa.replies(socket, PN)).toHaveLength(0);
  });

  it('sends a reply once when the database does not take its mark the first time', async () => {
    const restore = await refuseFirstReplyMark(ctx.db);
    try {
      const socket = await open();
      socket.receive([incomingText({ from: PN, text: 'Iscrizione' })]);
      await vi.waitFor(
        async () => {
          const rows = await ctx.db.select({ state: replies.state }).from(replies);
          expect(rows.map((r) => r.state)).toEqual(['sent']);
        },
        { timeout: 10_000 },
      );
      // Marked on the second try, after the sender's pause on the failed round: sent once.
      expect(wa.replies(socket, PN)).toHaveLength(1);
    } finally {
      await restore();
    }
  });

  it('does not reject or answer a call that arrived while offline', async () => {
    const socket = await open();
    socket.call([{ chatId: PN, from: PN, id: 'OLD', date: new Date(), status: 'offer', offline: true }]);
    await settle();
    expect(socket.rejectedCalls).toEqual([]);
    expect(wa.replies(socket, PN)).toEqual([]);
  });
});

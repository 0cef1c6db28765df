import { count, isNotNull, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import {
  acceptInbound,
  markInboundHandled,
  pruneInbound,
  unansweredInbound,
} from '../../src/core/inbound.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { inboundMessages } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';

const BURST = 120;
const jid = (n: number) => `39333${String(n).padStart(7, '0')}@s.whatsapp.net`;
const burst = Array.from({ length: BURST }, (_, n) =>
  incomingText({ from: jid(n), text: 'Iscrizione', id: `3A${String(n).padStart(18, '0')}` }),
);
const answers = (socket: StandInSocket) => socket.sent.filter((m) => !m.message).length;
/** A burst of 120 answers takes seconds, and up to a minute when the machine is very busy. */
const BURST_WAIT = { timeout: 60_000 };

/** Calls `hook` with the running count after each answer the bridge sends on this socket. */
function onAnswer(standIn: StandInSocket, hook: (n: number) => void) {
  const send = standIn.socket.sendMessage;
  let n = 0;
  standIn.socket.sendMessage = async (...args) => {
    const sent = await send(...args);
    hook(++n);
    return sent;
  };
}

describeWithDatabase('a restart in the middle of an opt-in burst', (ctx) => {
  const wa = bridgeHarness(ctx);
  const recorded = async () => (await ctx.db.select({ n: count() }).from(inboundMessages))[0]?.n ?? 0;
  const answered = async () =>
    (await ctx.db.select({ n: count() }).from(inboundMessages).where(isNotNull(inboundMessages.handledAt)))[0]
      ?.n ?? 0;

  /** Every jid of the burst (and `extra`) answered exactly once across these sockets. */
  function expectEachAnsweredOnce(sockets: StandInSocket[], extra: string[] = []) {
    const jids = sockets.flatMap((socket) => socket.sent.filter((m) => !m.message).map((m) => m.jid));
    const expected = [...burst.map((m) => m.key.remoteJid!), ...extra];
    expect(jids.sort()).toEqual(expected.sort());
  }

  it('loses nothing Baileys handed over before stopping, and answers none twice after the restart', {
    timeout: 120_000,
  }, async () => {
    const first = await wa.start();
    first.socket.open();
    let stopping: Promise<void> | undefined;
    onAnswer(first.socket, (n) => {
      // SIGTERM arrives after the 20th answer, while the rest of the burst is still queued.
      if (n === 20) stopping = wa.stop(first.bridge);
    });
    for (let i = 0; i < BURST; i += 10) first.socket.receive(burst.slice(i, i + 10));
    await vi.waitFor(() => expect(stopping).toBeDefined(), BURST_WAIT);
    await stopping;
    // Baileys acknowledged all of them to WhatsApp already: stop() recorded every one.
    expect(await recorded()).toBe(BURST);
    expect(answers(first.socket)).toBeLessThan(BURST);

    // After the restart WhatsApp may replay the same messages as `append`: none is answered twice.
    const second = await wa.start();
    second.socket.open();
    second.socket.receive(burst, 'append');
    second.socket.receive([incomingText({ from: jid(999), text: 'Iscrizione' })], 'append');
    await vi.waitFor(
      () => expect(answers(first.socket) + answers(second.socket)).toBe(BURST + 1),
      BURST_WAIT,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(first.socket) + answers(second.socket)).toBe(BURST + 1);
    expectEachAnsweredOnce([first.socket, second.socket], [jid(999)]);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST + 1);
  });

  it('when the connection dies mid-burst, every opt-in is applied and the rest is answered once on the next connection', {
    timeout: 120_000,
  }, async () => {
    const first = await wa.start();
    first.socket.open();
    let died = false;
    onAnswer(first.socket, (n) => {
      // The connection dies under the sender after the 30th answer: every later answer fails.
      if (n === 30) {
        died = true;
        first.socket.failSends(Number.POSITIVE_INFINITY);
      }
    });
    for (let i = 0; i < BURST; i += 10) first.socket.receive(burst.slice(i, i + 10));
    await vi.waitFor(() => expect(died).toBe(true), BURST_WAIT);
    // Applying does not wait for the answers: every opt-in is in.
    await vi.waitFor(async () => expect(await answered()).toBe(BURST), BURST_WAIT);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST);
    await wa.stop(first.bridge);
    expect(answers(first.socket)).toBe(30);

    const second = await wa.start();
    second.socket.open();
    await vi.waitFor(() => expect(answers(second.socket)).toBe(BURST - 30), BURST_WAIT);
    // A replay of the whole burst afterwards answers nothing twice.
    second.socket.receive(burst, 'append');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(second.socket)).toBe(BURST - 30);
    expectEachAnsweredOnce([first.socket, second.socket]);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST);
  });

  it('after a hard kill mid-burst, the restarted bridge answers what the killed one had recorded', {
    timeout: 120_000,
  }, async () => {
    const first = await wa.start();
    first.socket.open();
    // The process freezes after the 40th answer (as if killed): nothing after it runs.
    let release: (err: Error) => void = () => {};
    const frozen = new Promise<never>((_, reject) => {
      release = reject;
    });
    frozen.catch(() => {});
    try {
      onAnswer(first.socket, (n) => {
        if (n === 40) first.socket.socket.sendMessage = () => frozen;
      });
      for (let i = 0; i < BURST; i += 10) first.socket.receive(burst.slice(i, i + 10));
      await vi.waitFor(() => expect(answers(first.socket)).toBe(40), BURST_WAIT);
      await vi.waitFor(async () => expect(await recorded()).toBe(BURST), BURST_WAIT);

      // A new process on the same database, while the old one is gone (frozen). The frozen one's
      // inbound worker still queues replies this one's sender must hear of through the database
      // (banditore_replies): before that, its answers stalled short of 80 until the 10-minute poll.
      // The "killed" bridge still answers from the database beside this one (only its sends are
      // frozen): on Postgres a message both handle can fail in one of them, whose worker then
      // waits retryMs before its next pass (60 s by default; the suite waited that out and failed).
      const second = await wa.start({ inbound: { retryMs: 1_000 } });
      second.socket.open();
      await vi.waitFor(() => expect(answers(second.socket)).toBe(BURST - 40), BURST_WAIT);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The one the killed process was sending when it froze may be answered twice; none is lost.
      expect(answers(second.socket)).toBe(BURST - 40);
      expect(await answered()).toBe(BURST);
    } finally {
      // Also when an assertion fails, so stopping the frozen bridge after the test does not hang.
      release(new Error('killed'));
    }
  });
});

describeWithDatabase('inbound message ids', (ctx) => {
  it('are forgotten when old, and a message left unanswered for a week is given up with its addresses, unless it is an opt-in or opt-out', async () => {
    await acceptInbound(ctx.db, [
      { messageId: 'OLD-PENDING', phoneJid: jid(1), replyJid: jid(1), keyword: null },
      { messageId: 'OLD-OPT-OUT', phoneJid: jid(3), replyJid: jid(3), keyword: { action: 'unsubscribe' } },
      { messageId: 'OLD-OPT-IN', phoneJid: jid(4), replyJid: jid(4), keyword: { action: 'subscribe' } },
      { messageId: 'OLD-LISTS', phoneJid: jid(5), replyJid: jid(5), keyword: { action: 'lists' } },
      { messageId: 'NEW-PENDING', phoneJid: jid(2), replyJid: jid(2), keyword: null },
    ]);
    await markInboundHandled(ctx.db, 'OLD-HANDLED');
    await markInboundHandled(ctx.db, 'NEW-HANDLED');
    await ctx.db.execute(
      sql`UPDATE inbound_messages SET received_at = now() - interval '8 days' WHERE message_id LIKE 'OLD-%'`,
    );
    await ctx.db.execute(
      sql`UPDATE inbound_messages SET handled_at = now() - interval '61 days' WHERE message_id = 'OLD-HANDLED'`,
    );
    expect(await pruneInbound(ctx.db, { giveUpDays: 7, keepDays: 60 })).toBe(3);
    const left = await ctx.db.select({ id: inboundMessages.messageId }).from(inboundMessages);
    expect(left.map((r) => r.id).sort()).toEqual(['NEW-HANDLED', 'NEW-PENDING', 'OLD-OPT-IN', 'OLD-OPT-OUT']);
    // In arrival order, whatever their age.
    expect((await unansweredInbound(ctx.db)).map((p) => p.messageId)).toEqual([
      'OLD-OPT-OUT',
      'OLD-OPT-IN',
      'NEW-PENDING',
    ]);
  });
});

import { count } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
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
  const handled = async () => (await ctx.db.select({ n: count() }).from(inboundMessages))[0]?.n ?? 0;

  it('answers every message Baileys handed over before stopping, and none twice after', async () => {
    const first = await wa.start();
    first.socket.open();
    let answeredAtStop = 0;
    let stopping: Promise<void> | undefined;
    onAnswer(first.socket, (n) => {
      // SIGTERM arrives after the 20th answer, while the rest of the burst is still queued.
      if (n === 20) {
        answeredAtStop = n;
        stopping = wa.stop(first.bridge);
      }
    });
    for (let i = 0; i < BURST; i += 10) first.socket.receive(burst.slice(i, i + 10));
    await vi.waitFor(() => expect(stopping).toBeDefined());
    await stopping;
    // Baileys acknowledged all of them to WhatsApp already: stop() answered the rest first.
    expect(answeredAtStop).toBeLessThan(BURST);
    expect(answers(first.socket)).toBe(BURST);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST);

    // After the restart WhatsApp may replay the same messages as `append`: none is answered again.
    const second = await wa.start();
    second.socket.open();
    second.socket.receive(burst, 'append');
    second.socket.receive([incomingText({ from: jid(999), text: 'Iscrizione' })], 'append');
    await vi.waitFor(() => expect(answers(second.socket)).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(second.socket)).toBe(1);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST + 1);
  });

  it('when the connection dies mid-burst, what was not answered is answered once when it comes back as append', async () => {
    const first = await wa.start();
    first.socket.open();
    let died = false;
    onAnswer(first.socket, (n) => {
      // The connection dies under the handler after the 30th answer: every later answer fails.
      if (n === 30) {
        died = true;
        first.socket.failSends(Number.POSITIVE_INFINITY);
      }
    });
    for (let i = 0; i < BURST; i += 10) first.socket.receive(burst.slice(i, i + 10));
    await vi.waitFor(() => expect(died).toBe(true));
    await wa.stop(first.bridge);
    const answeredBefore = answers(first.socket);
    // The 30 answered before the connection died; the 90 after it are left for the replay.
    expect(answeredBefore).toBe(30);
    const markedBefore = await handled();
    // Subscriptions were written for every message; only the answers failed, and those ids stay open.
    expect(markedBefore).toBe(answeredBefore);
    expect(answeredBefore).toBeLessThan(BURST);

    const second = await wa.start();
    second.socket.open();
    second.socket.receive(burst, 'append');
    await vi.waitFor(() => expect(answers(second.socket)).toBe(BURST - answeredBefore));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers(second.socket)).toBe(BURST - answeredBefore);
    expect(await handled()).toBe(BURST);
    expect(await countActiveSubscribers(ctx.db)).toBe(BURST);
  });
});

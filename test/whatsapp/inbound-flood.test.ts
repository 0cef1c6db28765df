import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { WAMessage } from '@whiskeysockets/baileys';
import { and, count, eq, isNotNull } from 'drizzle-orm';
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { inboundMessages, waAuth } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { incomingText } from '../helpers/wa-socket.js';

const NUMBERS = 500;
const PER_NUMBER = 4;
const TOTAL = NUMBERS * PER_NUMBER;
const jid = (n: number) => `39320${String(n).padStart(7, '0')}@s.whatsapp.net`;
// Even numbers end subscribed, odd ones end unsubscribed: only true if each person's messages are
// applied in the order they were written, also past the backlog.
const scripts = [
  ['Iscrizione', 'ciao', 'Cancella', 'Iscrizione'],
  ['Iscrizione', 'LISTE', 'ciao', 'Cancella'],
];

/** The flood in arrival order: round r carries every number's r-th message, ten to an upsert. */
function flood(): WAMessage[][] {
  const messages: WAMessage[] = [];
  for (let round = 0; round < PER_NUMBER; round++)
    for (let n = 0; n < NUMBERS; n++)
      messages.push(incomingText({ from: jid(n), text: scripts[n % 2]![round]! }));
  const upserts: WAMessage[][] = [];
  for (let i = 0; i < messages.length; i += 10) upserts.push(messages.slice(i, i + 10));
  return upserts;
}

describeWithDatabase('a flood of citizens’ messages', (ctx) => {
  const wa = bridgeHarness(ctx);
  const counted = async (where?: ReturnType<typeof and>) =>
    (await ctx.db.select({ n: count() }).from(inboundMessages).where(where))[0]?.n ?? 0;

  it('records 2,000 messages from 500 numbers, saves a creds.update sent in the middle within a second, and stays bounded', {
    timeout: 300_000,
  }, async () => {
    const { socket } = await wa.start();
    socket.open();
    await vi.waitFor(async () => {
      const [row] = await ctx.db.select().from(waAuth).where(eq(waAuth.type, 'creds'));
      expect(row?.value).toContain('390550000000');
    });
    const upserts = flood();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    let credsSavedMs: number | undefined;
    const started = Date.now();
    try {
      for (const [i, upsert] of upserts.entries()) {
        socket.receive(upsert);
        if (i === upserts.length / 2) {
          // Baileys mutates creds in place and asks for them to be saved.
          Object.assign(socket.options.auth.creds, { registrationId: 4242 });
          const at = Date.now();
          socket.socket.ev.emit('creds.update', { registrationId: 4242 });
          void (async () => {
            for (;;) {
              const [row] = await ctx.db.select().from(waAuth).where(eq(waAuth.type, 'creds'));
              if (row?.value.includes('"registrationId":4242')) {
                credsSavedMs = Date.now() - at;
                return;
              }
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
          })();
        }
        // A few seconds of traffic, not one tick: the event loop runs between upserts.
        await yieldToLoop();
      }
      const floodMs = Date.now() - started;
      await vi.waitFor(() => expect(credsSavedMs).toBeDefined(), { timeout: 10_000 });
      await vi.waitFor(async () => expect(await counted()).toBe(TOTAL), { timeout: 60_000, interval: 200 });
      const recordedMs = Date.now() - started;
      clearInterval(sampler);
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      // The figures the README reports.
      process.stdout.write(
        `flood on ${ctx.database.engine}: ${TOTAL} messages emitted in ${floodMs} ms, recorded in ${recordedMs} ms; ` +
          `creds saved after ${credsSavedMs} ms; ` +
          `RSS ${mb(rssBefore)} MB before, ${mb(rssPeak)} MB at peak (+${mb(rssPeak - rssBefore)} MB)\n`,
      );
      expect(credsSavedMs).toBeLessThan(1_000);
      // 2,000 small messages; an unbounded chain of closures and replies in memory would show here.
      expect(rssPeak - rssBefore).toBeLessThan(200 * 2 ** 20);
    } finally {
      clearInterval(sampler);
    }
  });

  it('applies each person’s messages in the order written, also past the in-memory backlog', {
    timeout: 120_000,
  }, async () => {
    const { socket } = await wa.start({ inbound: { backlog: 5 } });
    socket.open();
    const people = 10;
    for (let round = 0; round < PER_NUMBER; round++)
      socket.receive(
        Array.from({ length: people }, (_, n) =>
          incomingText({ from: jid(n), text: scripts[n % 2]![round]! }),
        ),
      );
    await vi.waitFor(
      async () => expect(await counted(and(isNotNull(inboundMessages.handledAt)))).toBe(people * PER_NUMBER),
      { timeout: 60_000, interval: 200 },
    );
    expect(await countActiveSubscribers(ctx.db)).toBe(people / 2);
  });

  it('answers a backlog one message per turn of the event loop, leaving the loop to the socket and timers', async () => {
    let answered = 0;
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          if (line.includes('"msg":"inbound message handled"')) answered += 1;
        },
      },
    );
    const { socket } = await wa.start({ logger });
    socket.open();
    const people = 40;
    socket.receive(
      Array.from({ length: people }, (_, n) => incomingText({ from: jid(n), text: 'Iscrizione' })),
    );
    // Counted at each turn: on PGlite a query runs inside a chain of promises, so answers that did
    // not give the loop a turn in between would all land in one.
    let most = 0;
    const deadline = Date.now() + 60_000;
    for (let seen = 0; answered < people && Date.now() < deadline; seen = answered) {
      await yieldToLoop();
      most = Math.max(most, answered - seen);
    }
    expect(answered).toBe(people);
    expect(most).toBe(1);
  });
});

import { count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import type { Db } from '../../src/db/client.js';
import { inboundMessages, subscribers, subscriptionEvents } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type PgCluster, postgresBinDir, startPgCluster } from '../helpers/pg-cluster.js';
import { freePort } from '../helpers/program.js';
import { seededJid, seedSubscribers } from '../helpers/seed.js';
import { incomingText } from '../helpers/wa-socket.js';

const OPT_INS = 25;
const OPT_OUTS = 25;
const newcomer = (n: number) => `39321${String(n).padStart(7, '0')}@s.whatsapp.net`;
const bin = postgresBinDir();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Postgres only: PGlite lives in the process and cannot blink on its own.
describe.skipIf(!process.env.TEST_DATABASE_URL || !bin)('the bridge while its database restarts', () => {
  const ctx = {} as { db: Db; database: TestDatabase };
  let cluster: PgCluster;
  const wa = bridgeHarness(ctx);

  beforeAll(async () => {
    cluster = await startPgCluster(bin!, await freePort());
    ctx.database = await createTestDatabase('postgres', cluster.url);
    ctx.db = ctx.database.db;
  }, 120_000);
  afterAll(async () => {
    await ctx.database?.drop().catch(() => {});
    cluster?.destroy();
  });

  it('applies each of 50 opt-ins and opt-outs exactly once when the database restarts as they arrive', {
    timeout: 180_000,
  }, async () => {
    await seedSubscribers(ctx.db, OPT_OUTS);
    const { socket } = await wa.start({ inbound: { retryMs: 500 } });
    socket.open();
    // Opt-ins and opt-outs interleaved, one or two to an upsert, as people write.
    const messages = Array.from({ length: OPT_INS + OPT_OUTS }, (_, i) =>
      i % 2 === 0
        ? incomingText({ from: newcomer(i / 2), text: 'Iscrizione' })
        : incomingText({ from: seededJid((i + 1) / 2), text: 'Cancella' }),
    );
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i += 2) {
        socket.receive(messages.slice(i, Math.min(i + 2, to)));
        await pause(40);
      }
    };
    await send(0, 10);
    // pg_ctl stop returns once the server is down; it comes back after the pause, while the rest
    // of the messages (Baileys has acknowledged each one) keep arriving.
    const restarting = cluster.restart(2_000);
    await send(10, 50);
    await restarting;

    await vi.waitFor(
      async () => {
        const [open] = await ctx.db
          .select({ n: count() })
          .from(inboundMessages)
          .where(isNull(inboundMessages.handledAt));
        const [all] = await ctx.db.select({ n: count() }).from(inboundMessages);
        expect([all?.n, open?.n]).toEqual([OPT_INS + OPT_OUTS, 0]);
      },
      { timeout: 60_000, interval: 250 },
    );
    // Exactly once: one join event per newcomer, one leave per seeded subscriber, nobody left behind.
    const events = async (kind: 'join' | 'leave') =>
      (
        await ctx.db.select({ n: count() }).from(subscriptionEvents).where(eq(subscriptionEvents.kind, kind))
      )[0]?.n;
    expect(await events('join')).toBe(OPT_INS);
    expect(await events('leave')).toBe(OPT_OUTS);
    expect(await countActiveSubscribers(ctx.db)).toBe(OPT_INS);
    const erased = await ctx.db.select({ n: count() }).from(subscribers).where(isNull(subscribers.phoneJid));
    expect(erased[0]?.n).toBe(OPT_OUTS);
    // And each of them got one answer once the database was back.
    await vi.waitFor(() => expect(socket.sent.filter((m) => !m.message)).toHaveLength(OPT_INS + OPT_OUTS), {
      timeout: 90_000,
    });
  });
});

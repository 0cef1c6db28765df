import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { unpostedNotices } from '../../src/core/notices.js';
import { queueReply } from '../../src/core/replies.js';
import { queuePause } from '../../src/core/send-control.js';
import { rowsOf } from '../../src/db/client.js';
import { bulletins, deliveries, replies } from '../../src/db/schema.js';
import { cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import type { GraphStandIn } from '../helpers/graph-api.js';
import { refuseFirstReplyMark } from '../helpers/refuse-mark.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';

const digits = (n: number) => seededJid(n).split('@')[0]!;

/** Every seeded subscriber from 1 to `n` has exactly one accepted message. */
function expectEachOnce(graph: GraphStandIn, n: number) {
  const perRecipient = new Map<string, number>();
  for (const call of graph.accepted()) perRecipient.set(call.to, (perRecipient.get(call.to) ?? 0) + 1);
  for (let i = 1; i <= n; i++) expect(perRecipient.get(digits(i)), `subscriber ${i}`).toBe(1);
  expect(perRecipient.size).toBe(n);
}

describeWithDatabase('the Cloud API sender', (ctx) => {
  const harness = cloudHarness(ctx);

  async function states(bulletinId: number) {
    return rowsOf<{ state: string; n: number | string }>(
      await ctx.db.execute(sql`
        SELECT state, count(*) AS n FROM deliveries WHERE bulletin_id = ${bulletinId} GROUP BY state`),
    ).reduce<Record<string, number>>((acc, row) => {
      acc[row.state] = Number(row.n);
      return acc;
    }, {});
  }

  it('sends at once a reply another process queued, without its poll', async () => {
    const { graph, startTransport } = await harness.start();
    await startTransport({ pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const limits = { perSenderPerHour: 5, cooldownHours: 24, maxDelayMinutes: 60 };
    const jid = seededJid(7);
    expect(await queueReply(ctx.db, { sender: jid, jid, text: 'Grazie' }, limits)).toBe('queued');
    await vi.waitFor(() => expect(graph.accepted().map((call) => call.to)).toEqual([digits(7)]), {
      timeout: 5_000,
    });
  });

  it('sends a reply once when the database does not take its mark the first time', async () => {
    const restore = await refuseFirstReplyMark(ctx.db);
    try {
      const { graph, startTransport } = await harness.start();
      await startTransport();
      const limits = { perSenderPerHour: 5, cooldownHours: 24, maxDelayMinutes: 60 };
      const jid = seededJid(8);
      expect(await queueReply(ctx.db, { sender: jid, jid, text: 'Grazie' }, limits)).toBe('queued');
      await vi.waitFor(
        async () => {
          const rows = await ctx.db.select({ state: replies.state }).from(replies);
          expect(rows.map((r) => r.state)).toEqual(['sent']);
        },
        { timeout: 10_000 },
      );
      // Marked on the second try, after the sender's pause on the failed round: sent once.
      expect(graph.accepted().map((call) => call.to)).toEqual([digits(8)]);
    } finally {
      await restore();
    }
  });

  it('sends a bulletin to 1,300 subscribers, each exactly once, and counts their statuses', async () => {
    const { graph, startTransport } = await harness.start({
      overrides: { WA_CLOUD_RATE_PER_SECOND: '80', WA_CLOUD_DAILY_LIMIT: '10000' },
    });
    await seedSubscribers(ctx.db, 1300);
    const { id } = await approvedBulletin(ctx.db, 'Avviso: domani acqua sospesa in via Roma.');
    const started = Date.now();
    await startTransport();
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select().from(bulletins).where(eq(bulletins.id, id));
        expect(row?.state).toBe('sent');
      },
      { timeout: 60_000, interval: 200 },
    );
    const seconds = (Date.now() - started) / 1000;
    expectEachOnce(graph, 1300);
    expect(graph.calls).toHaveLength(1300);
    expect(await states(id)).toEqual({ sent: 1300 });
    // At 80 a second, 1,300 messages take at least 16 s: the bucket holds the rate.
    expect(seconds).toBeGreaterThan(15);
    const template = graph.calls[0]!.body.template as { name: string; components: unknown };
    expect(template.name).toBe('bollettino_comune');
    expect(JSON.stringify(template.components)).toContain('acqua sospesa in via Roma');
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select().from(bulletins).where(eq(bulletins.id, id));
        expect(row?.serverAcks).toBe(1300);
      },
      { timeout: 20_000 },
    );
  }, 90_000);

  it('sends free-form text inside the 24-hour window and the template outside it', async () => {
    const { graph, startTransport } = await harness.start({
      overrides: { PUBLIC_BASE_URL: 'https://notizie.comune.example.it' },
    });
    await seedSubscribers(ctx.db, 2);
    await ctx.db.execute(sql`
      INSERT INTO cloud_windows (subscriber_id, last_inbound_at)
      SELECT id, now() - interval '1 hour' FROM subscribers WHERE phone_jid = ${seededJid(1)}`);
    const long = `Avviso.\n\n${'Lavori in via Roma. '.repeat(80)}`;
    const { id } = await approvedBulletin(ctx.db, long);
    await startTransport();
    await vi.waitFor(() => expect(graph.accepted()).toHaveLength(2), { timeout: 10_000 });
    const inside = graph.calls.find((c) => c.to === digits(1))!;
    const outside = graph.calls.find((c) => c.to === digits(2))!;
    expect(inside.type).toBe('text');
    const [stored] = await ctx.db
      .select({ text: bulletins.text })
      .from(bulletins)
      .where(eq(bulletins.id, id));
    expect((inside.body.text as { body: string }).body).toBe(stored?.text);
    expect(outside.type).toBe('template');
    const parameter = JSON.stringify(outside.body.template);
    // Too long for the template's parameter: it points to the archive page instead.
    expect(parameter).toContain(`https://notizie.comune.example.it/bollettini/${id}`);
    expect(parameter).not.toContain('\\n');
    expect(outside.body.biz_opaque_callback_data).toMatch(/^\d+$/);
  });

  it('slows down on 130429 in the middle of a send and loses nothing', async () => {
    const { graph, startTransport } = await harness.start({ overrides: { WA_CLOUD_RATE_PER_SECOND: '80' } });
    await seedSubscribers(ctx.db, 100);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    graph.failWhen((_call, n) => (n >= 60 && n < 70 ? { http: 400, code: 130429 } : undefined));
    await startTransport();
    await vi.waitFor(async () => expect(await states(id)).toEqual({ sent: 100 }), { timeout: 30_000 });
    expectEachOnce(graph, 100);
    const errorAt = graph.calls.find((c) => c.error === 130429)!.at;
    const after = graph.calls.filter((c) => c.at >= errorAt && c.at <= errorAt + 3_000).map((c) => c.at);
    const longestGap = Math.max(...after.slice(1).map((at, i) => at - after[i]!));
    // Sends already on their way arrive; then every send is held for a second (less what those took), and goes on slower.
    expect(longestGap).toBeGreaterThanOrEqual(500);
  });

  it('pauses the whole queue on 131048 and tells staff, leaving the rest queued', async () => {
    const { graph, startTransport } = await harness.start({ overrides: { WA_CLOUD_RATE_PER_SECOND: '80' } });
    await seedSubscribers(ctx.db, 100);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    graph.failWhen((_call, n) => (n >= 30 ? { http: 400, code: 131048 } : undefined));
    await startTransport();
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('cloud_spam_limit'), {
      timeout: 10_000,
    });
    const notices = (await unpostedNotices(ctx.db, 100)).map((n) => n.notice);
    expect(notices).toContainEqual({ kind: 'sending_paused', signal: 'cloud_spam_limit', until: null });
    expect(notices.filter((n) => n.kind === 'sending_paused')).toHaveLength(1);
    // Sends already on their way when the first 131048 came back still arrive (on a busy machine
    // some reach the stand-in late); the round is over when no delivery is held by the sender.
    await vi.waitFor(
      async () => {
        const [held] = rowsOf<{ n: number | string }>(
          await ctx.db.execute(sql`
            SELECT count(*) AS n FROM deliveries WHERE bulletin_id = ${id} AND lease_token IS NOT NULL`),
        );
        expect(Number(held?.n)).toBe(0);
      },
      { timeout: 20_000 },
    );
    const calls = graph.calls.length;
    // The sender looks at the pause every 200 ms (its poll here): a second of them sends nothing.
    await new Promise((done) => setTimeout(done, 1_000));
    // Only what was already on the wire went, at most one per concurrent worker past 30.
    expect(graph.calls.length).toBe(calls);
    expect(calls).toBeLessThan(30 + 16 + 1);
    const byState = await states(id);
    expect(byState.failed ?? 0).toBe(0);
    expect((byState.sent ?? 0) + (byState.pending ?? 0)).toBe(100);
    expect(byState.pending).toBeGreaterThan(50);
  });

  it('fails an undeliverable recipient for good with the reason, and never exceeds the messaging limit', async () => {
    const warnings: string[] = [];
    const { graph, startTransport } = await harness.start({
      overrides: { WA_CLOUD_DAILY_LIMIT: '250', WA_CLOUD_RATE_PER_SECOND: '80' },
      logger: pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) }),
    });
    await seedSubscribers(ctx.db, 260);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    graph.failWhen((call) => (call.to === digits(7) ? { http: 400, code: 131026 } : undefined));
    await startTransport();
    // Each round that finds no room says so: the second one came after the first had waited.
    const limitReached = () => warnings.filter((line) => line.includes('messaging limit reached')).length;
    await vi.waitFor(() => expect(limitReached()).toBeGreaterThanOrEqual(2), { timeout: 20_000 });
    expect(graph.calls.length).toBe(250);
    const [failed] = await ctx.db
      .select({ failure: deliveries.failure, lastError: deliveries.lastError })
      .from(deliveries)
      .where(eq(deliveries.state, 'failed'));
    expect(failed?.failure).toBe('undeliverable');
    expect(failed?.lastError).toContain('131026');
    expect((await states(id)).pending).toBe(10);
  });
});

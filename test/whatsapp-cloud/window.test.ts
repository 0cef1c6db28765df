import { eq, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { deliveries } from '../../src/db/schema.js';
import { cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';

describeWithDatabase('the 24-hour window as Meta counts it', (ctx) => {
  const harness = cloudHarness(ctx);

  async function windowOpenedHoursAgo(hours: number) {
    await ctx.db.execute(sql`
      INSERT INTO cloud_windows (subscriber_id, last_inbound_at)
      SELECT id, now() - make_interval(hours => ${hours}) FROM subscribers WHERE phone_jid = ${seededJid(1)}`);
  }

  it('a free-form message Meta refuses with 131047 goes again as the template, without spending an attempt', async () => {
    const { graph, startTransport } = await harness.start();
    await seedSubscribers(ctx.db, 1);
    await windowOpenedHoursAgo(23);
    const { id } = await approvedBulletin(ctx.db, 'Avviso: mercato spostato.');
    graph.failWhen((call) => (call.type === 'text' ? { http: 400, code: 131047 } : undefined));
    await startTransport();
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
        expect(row?.state).toBe('sent');
      },
      { timeout: 10_000 },
    );
    expect(graph.calls.map((c) => c.type)).toEqual(['text', 'template']);
    const [row] = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
    expect(row?.attempts).toBe(1);
  });

  it('without a template, the same refusal fails the recipient for good with the reason', async () => {
    const { graph, startTransport } = await harness.start({ overrides: { WA_CLOUD_TEMPLATE: '' } });
    await seedSubscribers(ctx.db, 1);
    await windowOpenedHoursAgo(23);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    graph.failWhen(() => ({ http: 400, code: 131047 }));
    await startTransport();
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
        expect(row?.failure).toBe('outside_window');
      },
      { timeout: 10_000 },
    );
    expect(graph.calls).toHaveLength(1);
  });
});

import { eq, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { queuePause } from '../../src/core/send-control.js';
import { cloudSends, deliveries } from '../../src/db/schema.js';
import { APP_SECRET, cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { postWebhook, webhookBody } from '../helpers/graph-api.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';

const digits = (n: number) => seededJid(n).split('@')[0]!;

describeWithDatabase('the Cloud API sender after a crash', (ctx) => {
  const harness = cloudHarness(ctx);

  it('settles a send left in flight by its status webhook and sends again, as a possible duplicate, one without', async () => {
    const { graph, webhookUrl, startTransport } = await harness.start({
      overrides: { WA_CLOUD_RECONCILE_SECONDS: '3' },
      statuses: false,
    });
    await seedSubscribers(ctx.db, 3);
    await approvedBulletin(ctx.db, 'Avviso.');
    // As a killed process left them: 1 and 2 called (no answer recorded), 3 never called.
    await ctx.db.execute(sql`
      UPDATE deliveries SET attempts = 1, lease_token = gen_random_uuid(), lease_until = now() - interval '1 second'
      WHERE subscriber_id IN (1, 2, 3)`);
    await ctx.db.execute(sql`
      INSERT INTO cloud_sends (delivery_id, template) SELECT id, true FROM deliveries WHERE subscriber_id IN (1, 2)`);
    const [one] = await ctx.db.select().from(deliveries).where(eq(deliveries.subscriberId, 1));
    await startTransport();
    await vi.waitFor(() => expect(graph.accepted().map((c) => c.to)).toContain(digits(3)), {
      timeout: 10_000,
    });
    // Meta's retried status for the call whose answer was lost arrives once we are up.
    const status = {
      id: 'wamid.LOST1',
      status: 'delivered',
      timestamp: '1',
      recipient_id: digits(1),
      biz_opaque_callback_data: String(one!.id),
    };
    expect(await postWebhook(webhookUrl, webhookBody({ statuses: [status] }), APP_SECRET)).toBe(200);
    await vi.waitFor(
      async () =>
        expect((await ctx.db.select().from(deliveries)).every((d) => d.state === 'sent')).toBe(true),
      { timeout: 15_000 },
    );
    expect(
      graph
        .accepted()
        .map((c) => c.to)
        .sort(),
    ).toEqual([digits(2), digits(3)]);
    const sends = await ctx.db.select().from(cloudSends).orderBy(cloudSends.deliveryId);
    expect(sends.map((s) => [s.wamid?.startsWith('wamid.'), s.possibleDuplicate, s.status])).toEqual([
      [true, false, 3],
      [true, true, 0],
      [true, false, 0],
    ]);
    expect(sends[0]?.wamid).toBe('wamid.LOST1');
  });

  it('counts statuses once each, out of order, and never lowers one', async () => {
    const { graph, webhookUrl, startTransport } = await harness.start({ statuses: false });
    await seedSubscribers(ctx.db, 1);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    await startTransport();
    await vi.waitFor(() => expect(graph.accepted()).toHaveLength(1), { timeout: 10_000 });
    const wamid = graph.accepted()[0]!.wamid!;
    const post = (state: string) =>
      postWebhook(
        webhookUrl,
        webhookBody({ statuses: [{ id: wamid, status: state, timestamp: '1', recipient_id: digits(1) }] }),
        APP_SECRET,
      );
    await post('read');
    await post('delivered');
    await post('sent');
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db
          .execute(sql`SELECT server_acks, delivered, read FROM bulletins WHERE id = ${id}`)
          .then(
            (r) =>
              (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as {
                server_acks: number;
                delivered: number;
                read: number;
              }[],
          );
        expect(row).toEqual({ server_acks: 1, delivered: 1, read: 1 });
      },
      { timeout: 10_000 },
    );
    await vi.waitFor(async () =>
      expect(
        await ctx.db
          .execute(sql`SELECT 1 FROM cloud_events`)
          .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows).length),
      ).toBe(0),
    );
    const [send] = await ctx.db.select().from(cloudSends);
    expect(send?.status).toBe(4);
  });

  it('pauses the queue and tells staff when a status reports 131048 for a message the API had taken', async () => {
    const { webhookUrl, startTransport } = await harness.start({ statuses: false });
    await startTransport();
    const failed = {
      id: 'wamid.F1',
      status: 'failed',
      timestamp: '1',
      recipient_id: digits(1),
      errors: [{ code: 131048, title: 'Spam rate limit hit' }],
    };
    expect(await postWebhook(webhookUrl, webhookBody({ statuses: [failed] }), APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('cloud_spam_limit'), {
      timeout: 10_000,
    });
  });
});

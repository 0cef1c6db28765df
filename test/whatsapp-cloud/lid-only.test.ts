import { eq, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { cloudCounts } from '../../src/core/cloud-sends.js';
import type { Db } from '../../src/db/client.js';
import { cloudEvents, deliveries, subscribers, waAuth } from '../../src/db/schema.js';
import { APP_SECRET, cloudEnv, cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { postWebhook, webhookBody } from '../helpers/graph-api.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';
import { admin, createTestBot } from '../telegram/support.js';

const LID_USER = '123456789012345';
const NUMBER = '393331234567';

/** A subscriber of the default list known only by a LID, as the Baileys transport left some. */
async function lidOnlySubscriber(db: Db, lidUser = LID_USER): Promise<number> {
  const [row] = await db
    .insert(subscribers)
    .values({ lid: `${lidUser}@lid` })
    .returning({ id: subscribers.id });
  await db.execute(sql`
    INSERT INTO subscriptions (subscriber_id, list_id) SELECT ${row!.id}, id FROM lists WHERE is_default`);
  return row!.id;
}

/** The pair as Baileys' key store keeps it, both ways (values are BufferJSON strings). */
async function storedLidMap(db: Db, pnUser: string, lidUser: string) {
  await db.insert(waAuth).values([
    { type: 'lid-mapping', id: pnUser, value: JSON.stringify(lidUser) },
    { type: 'lid-mapping', id: `${lidUser}_reverse`, value: JSON.stringify(pnUser) },
  ]);
}

describeWithDatabase('subscribers known only by a LID, with the Cloud API', (ctx) => {
  const harness = cloudHarness(ctx);

  it('fail once with their reason, are never called, and /stato counts them', async () => {
    const { graph, startTransport } = await harness.start();
    await seedSubscribers(ctx.db, 1);
    const lidOnly = await lidOnlySubscriber(ctx.db);
    const { id } = await approvedBulletin(ctx.db, 'Avviso: mercato spostato.');
    await startTransport();
    await vi.waitFor(
      async () => {
        const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
        expect(rows.map((r) => r.state).sort()).toEqual(['failed', 'sent']);
      },
      { timeout: 10_000 },
    );
    expect(graph.calls.map((c) => c.to)).toEqual([seededJid(1).split('@')[0]]);
    const [failed] = await ctx.db.select().from(deliveries).where(eq(deliveries.subscriberId, lidOnly));
    expect(failed?.failure).toBe('no_phone_number');
    expect(failed?.attempts).toBe(1);
    expect(failed?.lastError).toContain('LID');
    const t = createTestBot(ctx.db, cloudEnv(graph.apiRoot));
    await t.say(admin, '/stato');
    expect(t.sent()[0]).toContain('1 iscritto noto solo per identificativo WhatsApp (LID)');
  });

  it('is reached again once they write by number, when WhatsApp once gave Baileys their LID', async () => {
    const { graph, startTransport, webhookUrl } = await harness.start();
    const lidOnly = await lidOnlySubscriber(ctx.db);
    await startTransport();
    expect((await cloudCounts(ctx.db)).lidOnly).toBe(1);
    // Baileys learnt the pair but never reported it (no lid-mapping.update for this one).
    await storedLidMap(ctx.db, NUMBER, LID_USER);
    const body = webhookBody({ messages: [{ from: NUMBER, id: 'wamid.LID1', text: 'Buongiorno' }] });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select().from(subscribers).where(eq(subscribers.id, lidOnly));
        expect(row?.phoneJid).toBe(`${NUMBER}@s.whatsapp.net`);
      },
      { timeout: 10_000 },
    );
    expect((await cloudCounts(ctx.db)).lidOnly).toBe(0);
    // One person, not two: the one who wrote is the subscriber with the lists.
    expect(await ctx.db.select().from(subscribers)).toHaveLength(1);
    await approvedBulletin(ctx.db, 'Avviso: strada chiusa.');
    await vi.waitFor(() => expect(graph.accepted().map((c) => c.to)).toContain(NUMBER), { timeout: 10_000 });
  });

  it('learn their numbers from Baileys’ stored LID map when the transport starts; the others stay counted', async () => {
    const { startTransport } = await harness.start();
    const mapped = await lidOnlySubscriber(ctx.db);
    await lidOnlySubscriber(ctx.db, '987654321098765');
    await storedLidMap(ctx.db, NUMBER, LID_USER);
    await startTransport();
    const [row] = await ctx.db.select().from(subscribers).where(eq(subscribers.id, mapped));
    expect(row?.phoneJid).toBe(`${NUMBER}@s.whatsapp.net`);
    expect((await cloudCounts(ctx.db)).lidOnly).toBe(1);
  });

  it('a message from a number WhatsApp never paired with a LID leaves the LID-only subscriber counted', async () => {
    const { startTransport, webhookUrl } = await harness.start();
    await lidOnlySubscriber(ctx.db);
    await storedLidMap(ctx.db, '393339999999', '111111111111111');
    await startTransport();
    const body = webhookBody({ messages: [{ from: NUMBER, id: 'wamid.LID2', text: 'Buongiorno' }] });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0), {
      timeout: 10_000,
    });
    expect((await cloudCounts(ctx.db)).lidOnly).toBe(1);
  });
});

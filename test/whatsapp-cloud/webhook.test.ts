import { count, eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { cloudEvents, inboundMessages, subscribers, subscriptions } from '../../src/db/schema.js';
import { APP_SECRET, cloudHarness, VERIFY_TOKEN } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { postWebhook, webhookBody } from '../helpers/graph-api.js';

describeWithDatabase('the Cloud API webhook', (ctx) => {
  const harness = cloudHarness(ctx);

  it('answers the verification handshake with the challenge, and 403 to a wrong token', async () => {
    const { webhookUrl } = await harness.start();
    const good = await fetch(
      `${webhookUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('1158201444');
    const bad = await fetch(
      `${webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`,
    );
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain('1158201444');
  });

  it('refuses a body with a bad or missing signature with 401 and records nothing', async () => {
    const { webhookUrl } = await harness.start();
    const body = webhookBody({ messages: [{ from: '393331112222', id: 'wamid.IN1', text: 'Iscrizione' }] });
    expect(await postWebhook(webhookUrl, body, 'another-secret')).toBe(401);
    const unsigned = await fetch(webhookUrl, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    // Signed, then changed by one character on the way: the signature no longer matches.
    const changed = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'x-hub-signature-256': (await import('../helpers/graph-api.js')).signBody(body, APP_SECRET),
      },
      body: body.replace('Iscrizione', 'Iscrizionf'),
    });
    expect(changed.status).toBe(401);
    const [events] = await ctx.db.select({ n: count() }).from(cloudEvents);
    expect(events?.n).toBe(0);
  });

  it('stores a signed body at once, accents and emoji included, and answers 200', async () => {
    const { webhookUrl } = await harness.start();
    const body = webhookBody({
      messages: [{ from: '393331112222', id: 'wamid.IN2', text: 'Perché? 🙂 città' }],
    });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    const rows = await ctx.db.select({ body: cloudEvents.body }).from(cloudEvents);
    expect(rows.map((r) => r.body)).toEqual([body]);
  });

  it('"Iscrizione" by webhook subscribes the citizen once and answers them, even when Meta sends it twice', async () => {
    const { webhookUrl, graph, startTransport } = await harness.start();
    await startTransport();
    const body = webhookBody({ messages: [{ from: '393331112222', id: 'wamid.IN3', text: 'Iscrizione' }] });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(() => expect(graph.accepted().length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    const [reply] = graph.accepted();
    expect(reply?.to).toBe('393331112222');
    expect(reply?.type).toBe('text');
    expect(JSON.stringify(reply?.body)).toContain('Iscrizione fatta');
    const [person] = await ctx.db
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(eq(subscribers.phoneJid, '393331112222@s.whatsapp.net'));
    expect(person).toBeDefined();
    const memberships = await ctx.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.subscriberId, person!.id));
    expect(memberships).toHaveLength(1);
    expect(memberships[0]?.optInMessageId).toBe('wamid.IN3');
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0));
    const handled = await ctx.db
      .select()
      .from(inboundMessages)
      .where(eq(inboundMessages.messageId, 'wamid.IN3'));
    expect(handled[0]?.handledAt).not.toBeNull();
    // The same message twice is answered once.
    await new Promise((done) => setTimeout(done, 500));
    expect(graph.accepted()).toHaveLength(1);
  });
});

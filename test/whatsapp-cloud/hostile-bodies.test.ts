import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { cloudEvents, subscribers } from '../../src/db/schema.js';
import { readWebhook } from '../../src/whatsapp-cloud/payload.js';
import { APP_SECRET, cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { postWebhook, webhookBody } from '../helpers/graph-api.js';

/** A `messages` change with this value, as Meta would wrap it. */
const body = (value: unknown) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ changes: [{ field: 'messages', value }] }],
  });

describe('readWebhook on odd shapes', () => {
  it('reads arrays that are not arrays, texts that are not text and ids with control characters as nothing', () => {
    expect(readWebhook(body({ messages: { 0: {} }, contacts: 'x', statuses: 7 }))).toEqual({
      messages: [],
      statuses: [],
    });
    const [m] = readWebhook(
      body({ messages: [{ id: 'wamid.A', from: '393331110003', timestamp: '1', text: { body: 42 } }] }),
    ).messages;
    expect(m?.text).toBe('');
    expect(readWebhook(body({ messages: [{ id: 'wamid.\u0000', from: '393331110003' }] })).messages).toEqual(
      [],
    );
    expect(readWebhook(body({ statuses: [{ id: 'wamid.\u0000', status: 'sent' }] })).statuses).toEqual([]);
  });

  it('never dates a message after now', () => {
    const [m] = readWebhook(
      body({
        messages: [
          { id: 'wamid.B', from: '393331110003', timestamp: '99999999999999999999', text: { body: 'x' } },
        ],
      }),
    ).messages;
    expect(m!.at.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describeWithDatabase('webhook bodies a citizen shapes', (ctx) => {
  const harness = cloudHarness(ctx);

  it('a profile name with control characters neither stops the processing nor reaches the database', async () => {
    const { webhookUrl, graph, startTransport } = await harness.start();
    await startTransport();
    const odd = webhookBody({
      messages: [{ from: '393331110001', id: 'wamid.ODD', text: 'Iscrizione', name: 'Ma\u0000rio\u0007' }],
    });
    const plain = webhookBody({
      messages: [{ from: '393331110002', id: 'wamid.PLAIN', text: 'Iscrizione' }],
    });
    expect(await postWebhook(webhookUrl, odd, APP_SECRET)).toBe(200);
    expect(await postWebhook(webhookUrl, plain, APP_SECRET)).toBe(200);
    await vi.waitFor(
      () =>
        expect(
          graph
            .accepted()
            .map((c) => c.to)
            .sort(),
        ).toEqual(['393331110001', '393331110002']),
      {
        timeout: 10_000,
      },
    );
    const [person] = await ctx.db
      .select({ pushName: subscribers.pushName })
      .from(subscribers)
      .where(eq(subscribers.phoneJid, '393331110001@s.whatsapp.net'));
    expect(person?.pushName).toBe('Mario');
  });

  it('a body whose processing fails does not hold the ones after it, and is tried again', async () => {
    // The database refuses one message id (a stand-in for any failure while processing a body).
    await ctx.db.execute(sql`
      CREATE OR REPLACE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.message_id = 'wamid.BOOM' AND NOT EXISTS (SELECT 1 FROM lists WHERE slug = 'ok') THEN
          RAISE EXCEPTION 'refused';
        END IF;
        RETURN NEW;
      END $$`);
    await ctx.db.execute(sql`
      CREATE TRIGGER refuse_boom BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION refuse_boom()`);
    try {
      const { webhookUrl, graph, startTransport } = await harness.start();
      await startTransport();
      const boom = webhookBody({
        messages: [{ from: '393331110004', id: 'wamid.BOOM', text: 'Iscrizione' }],
      });
      const next = webhookBody({
        messages: [{ from: '393331110005', id: 'wamid.NEXT', text: 'Iscrizione' }],
      });
      expect(await postWebhook(webhookUrl, boom, APP_SECRET)).toBe(200);
      expect(await postWebhook(webhookUrl, next, APP_SECRET)).toBe(200);
      await vi.waitFor(() => expect(graph.accepted().map((c) => c.to)).toEqual(['393331110005']), {
        timeout: 10_000,
      });
      // Whatever made it fail is gone: the body kept is processed on a later round.
      await ctx.db.execute(sql`INSERT INTO lists (slug, name) VALUES ('ok', 'Ok')`);
      await vi.waitFor(() => expect(graph.accepted().map((c) => c.to)).toContain('393331110004'), {
        timeout: 10_000,
      });
    } finally {
      await ctx.db.execute(sql`DROP TRIGGER IF EXISTS refuse_boom ON inbound_messages`);
      await ctx.db.execute(sql`DROP FUNCTION IF EXISTS refuse_boom()`);
    }
  });

  it('cuts off a body of unknown length past 1 MB before reading it all, and records nothing', async () => {
    const { webhookUrl } = await harness.start();
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' }).catch(() => undefined);
    // Either the 413 arrives or the server hangs up mid-upload; it never reads 64 MB.
    if (response) expect(response.status).toBe(413);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0);
  });
});

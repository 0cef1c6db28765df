import type { Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it, vi } from 'vitest';
import { recordLink } from '../../src/core/bridge-state.js';
import { createList } from '../../src/core/lists.js';
import { pauseQueue } from '../../src/core/send-control.js';
import { optIn, optOut } from '../../src/core/subscriptions.js';
import { startHealthServer } from '../../src/health.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/program.js';
import { sampleValue, scrape } from '../helpers/prometheus.js';
import { approvedBulletin } from '../helpers/seed.js';
import { incomingText } from '../helpers/wa-socket.js';

const jid = (n: number) => `39333000000${n}@s.whatsapp.net`;

describeWithDatabase('metrics endpoint', (ctx) => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    server = undefined;
  });

  async function serve(sources: Partial<Parameters<typeof createMetrics>[0]> = {}): Promise<string> {
    const port = await freePort();
    server = await startHealthServer(
      port,
      () => ({ ok: true, reasons: [] }),
      createMetrics({ db: ctx.db, role: 'all', ...sources }),
    );
    return `http://127.0.0.1:${port}/metrics`;
  }

  it("serves the database's numbers, read at scrape time, in Prometheus format", async () => {
    await createList(ctx.db, { actorId: 1, adminIds: [1], name: 'Scuole' });
    for (const n of [1, 2, 3]) {
      await optIn(ctx.db, { address: { phoneJid: jid(n) }, messageId: `in-${n}`, privacyVersion: '1' });
    }
    await optIn(ctx.db, {
      address: { phoneJid: jid(1) },
      messageId: 'in-4',
      privacyVersion: '1',
      list: 'scuole',
    });
    await optOut(ctx.db, { address: { phoneJid: jid(3) } });
    const url = await serve();

    const before = await scrape(url);
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(before.samples, 'banditore_queue_depth')).toBe(0);
    expect(sampleValue(before.samples, 'banditore_queue_oldest_pending_age_seconds')).toBe(0);
    expect(sampleValue(before.samples, 'banditore_whatsapp_last_send_age_seconds')).toBeNaN();

    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    expect(bulletin.queued).toBe(2);
    await ctx.db.execute(sql`
      UPDATE deliveries SET created_at = now() - interval '10 minutes'`);
    await ctx.db.execute(sql`
      UPDATE deliveries SET state = 'sent', sent_at = now() - interval '90 seconds'
      WHERE id = (SELECT min(id) FROM deliveries)`);
    await pauseQueue(ctx.db, { reason: 'prova', signal: 'staff' });
    await recordLink(ctx.db, { link: 'open', linkedNumber: '390000000000@s.whatsapp.net' });

    // Each scrape reads the database again: the same endpoint now shows the bulletin's sending.
    const { samples, text } = await scrape(url);
    expect(sampleValue(samples, 'banditore_info', { role: 'all' })).toBe(1);
    expect(sampleValue(samples, 'banditore_subscribers', { list: 'notizie' })).toBe(2);
    expect(sampleValue(samples, 'banditore_subscribers', { list: 'scuole' })).toBe(1);
    expect(
      sampleValue(samples, 'banditore_subscription_events_total', { list: 'notizie', kind: 'join' }),
    ).toBe(3);
    expect(
      sampleValue(samples, 'banditore_subscription_events_total', { list: 'notizie', kind: 'leave' }),
    ).toBe(1);
    expect(sampleValue(samples, 'banditore_recent_deliveries', { state: 'sent' })).toBe(1);
    expect(sampleValue(samples, 'banditore_recent_deliveries', { state: 'pending' })).toBe(1);
    expect(sampleValue(samples, 'banditore_recent_deliveries', { state: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'banditore_queue_depth')).toBe(1);
    expect(sampleValue(samples, 'banditore_queue_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(600);
    expect(sampleValue(samples, 'banditore_queue_paused')).toBe(1);
    expect(sampleValue(samples, 'banditore_sent_last_hour')).toBe(1);
    expect(sampleValue(samples, 'banditore_whatsapp_link', { state: 'open' })).toBe(1);
    expect(sampleValue(samples, 'banditore_whatsapp_link', { state: 'banned' })).toBe(0);
    const lastSend = sampleValue(samples, 'banditore_whatsapp_last_send_age_seconds');
    expect(lastSend).toBeGreaterThanOrEqual(90);
    expect(lastSend).toBeLessThan(600);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No personal data: neither the citizens' numbers nor the Comune's own.
    expect(text).not.toMatch(/39333|390000000000|whatsapp\.net/);
  });

  it("reports the bot's polling and the bridge's sends only where those roles run", async () => {
    const bare = await scrape(await serve({ role: 'bot' }));
    expect(sampleValue(bare.samples, 'banditore_telegram_polling')).toBeUndefined();
    expect(sampleValue(bare.samples, 'banditore_deliveries_sent_total')).toBeUndefined();
    await new Promise((done) => server?.close(done));

    let polling: 'running' | 'stopped' = 'running';
    const url = await serve({
      bot: { state: () => polling },
      bridge: { state: () => ({ sent: 7 }) },
    });
    const running = await scrape(url);
    expect(sampleValue(running.samples, 'banditore_telegram_polling')).toBe(1);
    expect(sampleValue(running.samples, 'banditore_deliveries_sent_total')).toBe(7);
    polling = 'stopped';
    expect(sampleValue((await scrape(url)).samples, 'banditore_telegram_polling')).toBe(0);
  });

  describeInbound();

  function describeInbound() {
    const wa = bridgeHarness(ctx);
    it('counts citizens’ messages and the replies sent and withheld by the cooldown', async () => {
      const url = await serve();
      const count = async () => {
        const { samples } = await scrape(url);
        return {
          received: sampleValue(samples, 'banditore_inbound_messages_total') ?? 0,
          sent: sampleValue(samples, 'banditore_inbound_replies_sent_total') ?? 0,
          withheld:
            sampleValue(samples, 'banditore_inbound_replies_withheld_total', { reason: 'cooldown' }) ?? 0,
        };
      };
      // The counters belong to the process, which earlier tests shared: compare with before.
      const before = await count();
      const { socket } = await wa.start();
      socket.open();
      socket.receive([incomingText({ from: jid(5), text: 'ciao' })]);
      await vi.waitFor(() => expect(wa.replies(socket, jid(5))).toHaveLength(1));
      socket.receive([incomingText({ from: jid(5), text: 'ciao ancora' })]);
      await vi.waitFor(async () => expect((await count()).withheld).toBe(before.withheld + 1));
      expect(await count()).toEqual({
        received: before.received + 2,
        sent: before.sent + 1,
        withheld: before.withheld + 1,
      });
    });
  }
});

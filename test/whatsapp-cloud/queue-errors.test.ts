import { eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { unpostedNotices } from '../../src/core/notices.js';
import { queuePause } from '../../src/core/send-control.js';
import { deliveries } from '../../src/db/schema.js';
import { bridgeNotice } from '../../src/telegram/texts.js';
import { cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';
import { captureLogger } from '../telegram/support.js';

describeWithDatabase('errors that stop the whole Cloud API queue', (ctx) => {
  const harness = cloudHarness(ctx);

  it('a refused access token pauses the queue and tells staff to renew WA_CLOUD_ACCESS_TOKEN, without logging the token or a number', async () => {
    const { logger, lines } = captureLogger();
    const { graph, startTransport } = await harness.start({ logger });
    await seedSubscribers(ctx.db, 5);
    await approvedBulletin(ctx.db, 'Avviso.');
    graph.failWhen(() => ({ http: 401, code: 190 }));
    await startTransport();
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('cloud_token'), {
      timeout: 10_000,
    });
    const notices = (await unpostedNotices(ctx.db)).map((n) => n.notice);
    const paused = notices.filter((n) => n.kind === 'sending_paused');
    expect(paused).toHaveLength(1);
    expect(bridgeNotice(paused[0]!)).toContain('aggiornare WA_CLOUD_ACCESS_TOKEN');
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain('test-access-token');
    expect(JSON.stringify(lines)).not.toMatch(/39300000000\d/);
  });

  it.each([
    [131042, 'cloud_payment', 'metodo di pagamento'],
    [132015, 'cloud_template', 'WA_CLOUD_TEMPLATE'],
    [132001, 'cloud_template', 'WA_CLOUD_TEMPLATE'],
    [131031, 'cloud_policy_block', 'WhatsApp Manager'],
  ] as const)(
    '%i pauses the queue with its reason instead of failing every recipient',
    async (code, signal, words) => {
      const { graph, startTransport } = await harness.start();
      await seedSubscribers(ctx.db, 20);
      const { id } = await approvedBulletin(ctx.db, 'Avviso.');
      graph.failWhen(() => ({ http: 400, code }));
      await startTransport();
      await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe(signal), {
        timeout: 10_000,
      });
      const paused = (await unpostedNotices(ctx.db))
        .map((n) => n.notice)
        .filter((n) => n.kind === 'sending_paused');
      expect(paused).toHaveLength(1);
      expect(bridgeNotice(paused[0]!)).toContain(words);
      const states = await ctx.db
        .select({ state: deliveries.state })
        .from(deliveries)
        .where(eq(deliveries.bulletinId, id));
      expect(states.filter((d) => d.state === 'failed')).toHaveLength(0);
    },
  );
});

import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { unpostedNotices } from '../../src/core/notices.js';
import { queuePause } from '../../src/core/send-control.js';
import { cloudEvents, deliveries } from '../../src/db/schema.js';
import { bridgeNotice } from '../../src/telegram/texts.js';
import { messagingLimitOf, readAccountEvents, tierLimit } from '../../src/whatsapp-cloud/account-events.js';
import { APP_SECRET, cloudEnv, cloudHarness } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { postWebhook } from '../helpers/graph-api.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';
import { admin, captureLogger, createTestBot } from '../telegram/support.js';

/** An account webhook as Meta sends it: one change of `field` on the business account. */
function accountBody(field: string, value: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', time: 1764662400, changes: [{ field, value }] }],
  });
}

const quality = (value: Record<string, unknown>) =>
  accountBody('phone_number_quality_update', { display_phone_number: '15550783881', ...value });

describe('readAccountEvents', () => {
  it('reads the tiers Meta names, and nothing from TIER_NOT_SET', () => {
    expect(tierLimit('TIER_250')).toBe(250);
    expect(tierLimit('TIER_2K')).toBe(2000);
    expect(tierLimit('TIER_100K')).toBe(100_000);
    expect(tierLimit('TIER_UNLIMITED')).toBeNull();
    expect(tierLimit('TIER_NOT_SET')).toBeUndefined();
  });

  it('names a limit the same whether Meta writes a tier or a number', () => {
    expect(messagingLimitOf(2000)).toEqual({ tier: 'TIER_2K', limit: 2000 });
    expect(messagingLimitOf('TIER_2K')).toEqual({ tier: 'TIER_2K', limit: 2000 });
    expect(messagingLimitOf(250)).toEqual({ tier: 'TIER_250', limit: 250 });
    expect(messagingLimitOf(-1)).toEqual({ tier: 'TIER_UNLIMITED', limit: null });
    for (const odd of [0, 1.5, 'TIER_NOT_SET', '2000', null]) expect(messagingLimitOf(odd)).toBeUndefined();
  });

  it('reads the portfolio’s limit from business_capability_update', () => {
    const body = accountBody('business_capability_update', {
      max_daily_conversations_per_business: 10000,
      max_phone_numbers_per_waba: 25,
    });
    expect(readAccountEvents(body)).toEqual({
      events: [{ kind: 'tier', tier: 'TIER_10K', limit: 10000 }],
      ignored: [],
    });
  });

  it('reads a drop to red as a pause, a limit change as a tier, a reinstatement as nothing', () => {
    expect(readAccountEvents(quality({ event: 'FLAGGED', current_limit: 'TIER_1K' })).events).toEqual([
      { kind: 'pause', signal: 'cloud_quality_red', event: 'FLAGGED' },
      { kind: 'tier', tier: 'TIER_1K', limit: 1000 },
    ]);
    expect(
      readAccountEvents(
        quality({
          event: 'UPGRADE',
          current_limit: 'TIER_1K',
          max_daily_conversations_per_business: 'TIER_2K',
        }),
      ).events,
    ).toEqual([{ kind: 'tier', tier: 'TIER_2K', limit: 2000 }]);
    const reinstated = accountBody('account_update', {
      event: 'DISABLED_UPDATE',
      ban_info: { waba_ban_state: 'REINSTATE' },
    });
    expect(readAccountEvents(reinstated).events).toEqual([]);
    expect(readAccountEvents(accountBody('account_update', { event: 'VERIFIED_ACCOUNT' })).events).toEqual(
      [],
    );
  });

  it('names ignored fields without their content, and reads nothing from a body that is not JSON', () => {
    const body = accountBody('user_preferences', { reason: 'x' });
    expect(readAccountEvents(body)).toEqual({ events: [], ignored: ['user_preferences'] });
    expect(readAccountEvents(accountBody('Ciao +39 333 1234567', {})).ignored).toEqual(['unnamed']);
    expect(readAccountEvents('{"entry":[{"changes":[null,{"field":3}]}]}').events).toEqual([]);
    expect(readAccountEvents('not json')).toEqual({ events: [], ignored: [] });
  });
});

describeWithDatabase('account webhooks of the Cloud API number', (ctx) => {
  const harness = cloudHarness(ctx);

  async function noticeKinds() {
    return (await unpostedNotices(ctx.db)).map(({ notice }) =>
      notice.kind === 'sending_paused' ? `${notice.kind}:${notice.signal}` : notice.kind,
    );
  }

  it('a quality drop to red pauses the queue and tells staff once, even when Meta repeats it', async () => {
    const { webhookUrl, startTransport } = await harness.start();
    await startTransport();
    const body = quality({ event: 'FLAGGED', current_limit: 'TIER_250' });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('cloud_quality_red'), {
      timeout: 10_000,
    });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0), {
      timeout: 10_000,
    });
    expect((await noticeKinds()).filter((k) => k.startsWith('sending_paused'))).toEqual([
      'sending_paused:cloud_quality_red',
    ]);
  });

  it('a restriction of the account pauses the queue and tells staff; /riprendi sends again', async () => {
    const { webhookUrl, graph, startTransport } = await harness.start();
    await startTransport();
    const body = accountBody('account_update', {
      phone_number: '15550783881',
      event: 'ACCOUNT_RESTRICTION',
      restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1765000000 }],
    });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('cloud_restricted'), {
      timeout: 10_000,
    });
    await seedSubscribers(ctx.db, 3);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    expect(await noticeKinds()).toContain('sending_paused:cloud_restricted');
    const t = createTestBot(ctx.db, cloudEnv(graph.apiRoot));
    await t.say(admin, '/riprendi');
    await vi.waitFor(
      async () => {
        const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
        expect(rows.map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
      },
      { timeout: 10_000 },
    );
  });

  it('a new tier is kept, told to staff once with WA_CLOUD_DAILY_LIMIT beside it, and shown by /stato', async () => {
    const { webhookUrl, graph, startTransport } = await harness.start({
      overrides: { WA_CLOUD_DAILY_LIMIT: '1000' },
    });
    await startTransport();
    const body = quality({
      event: 'UPGRADE',
      old_limit: 'TIER_1K',
      max_daily_conversations_per_business: 'TIER_2K',
    });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    // The same limit again, as business_capability_update writes it.
    const capability = accountBody('business_capability_update', {
      max_daily_conversations_per_business: 2000,
    });
    expect(await postWebhook(webhookUrl, capability, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0), {
      timeout: 10_000,
    });
    expect(await noticeKinds()).toEqual(['cloud_tier']);
    expect(await queuePause(ctx.db)).toBeUndefined();
    const t = createTestBot(ctx.db, cloudEnv(graph.apiRoot, { WA_CLOUD_DAILY_LIMIT: '1000' }));
    await t.say(admin, '/stato');
    expect(t.sent()[0]).toContain(
      'Livello indicato da Meta: 2000 persone in 24 ore: si può alzare WA_CLOUD_DAILY_LIMIT (ora 1000).',
    );
  });

  it('after a downgrade below WA_CLOUD_DAILY_LIMIT the sender stops at Meta’s new limit', async () => {
    const { webhookUrl, graph, startTransport } = await harness.start();
    await startTransport();
    const body = quality({ event: 'DOWNGRADE', old_limit: 'TIER_250', current_limit: 'TIER_50' });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect(await noticeKinds()).toEqual(['cloud_tier']), { timeout: 10_000 });
    await seedSubscribers(ctx.db, 60);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    await vi.waitFor(
      async () => {
        const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
        expect(rows.filter((d) => d.state === 'sent')).toHaveLength(50);
      },
      { timeout: 15_000 },
    );
    // The sender is waiting for room now: it claimed no more than the limit left.
    const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
    expect(rows.filter((d) => d.state === 'pending')).toHaveLength(10);
    expect(graph.calls).toHaveLength(50);
  });

  it('ignores fields nobody reads, logging only their names', async () => {
    const { logger, lines } = captureLogger();
    const { webhookUrl, startTransport } = await harness.start({ logger });
    await startTransport();
    const body = accountBody('user_preferences', {
      contacts: [{ wa_id: '393331234567', profile: { name: 'REJECTED' } }],
      user_preferences: [{ wa_id: '393331234567', category: 'marketing_messages', value: 'stop' }],
    });
    expect(await postWebhook(webhookUrl, body, APP_SECRET)).toBe(200);
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0), {
      timeout: 10_000,
    });
    expect(lines.some((l) => l.msg === 'webhook fields ignored')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('1234567');
    expect(JSON.stringify(lines)).not.toContain('REJECTED');
    expect(await queuePause(ctx.db)).toBeUndefined();
  });

  it('tells staff when Meta reviews WA_CLOUD_TEMPLATE, and nothing about other templates', async () => {
    const { webhookUrl, startTransport } = await harness.start();
    await startTransport();
    const review = (name: string, event: string) =>
      accountBody('message_template_status_update', {
        event,
        message_template_id: 806312974732579,
        message_template_name: name,
        message_template_language: 'it',
        reason: 'NONE',
      });
    expect(await postWebhook(webhookUrl, review('promo_estate', 'PAUSED'), APP_SECRET)).toBe(200);
    expect(await postWebhook(webhookUrl, review('bollettino_comune', 'PAUSED'), APP_SECRET)).toBe(200);
    expect(await postWebhook(webhookUrl, review('bollettino_comune', 'PENDING_DELETION'), APP_SECRET)).toBe(
      200,
    );
    await vi.waitFor(async () => expect(await ctx.db.select().from(cloudEvents)).toHaveLength(0), {
      timeout: 10_000,
    });
    const notices = (await unpostedNotices(ctx.db)).map((n) => n.notice);
    expect(notices).toEqual([{ kind: 'cloud_template_status', event: 'PAUSED', name: 'bollettino_comune' }]);
    expect(bridgeNotice(notices[0]!)).toBe(
      'Modello bollettino_comune sospeso per qualità bassa: fuori dalla finestra di 24 ore non parte nulla finché non torna attivo (gli invii si fermeranno al primo rifiuto).',
    );
  });
});

import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dailyCap, estimateDurationMs, hourlyCap, type Pacing } from '../../src/core/pacing.js';
import { createPacer } from '../../src/whatsapp/pacer.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';

const defaults: Pacing = { ratePerMinute: 2, maxPerHour: 80, maxPerDay: 1000, warmupDays: 7 };
const DAY = 86_400_000;
const now = new Date('2026-11-28T10:00:00Z');

describe('the limits', () => {
  it('ramps the daily cap up over the warm-up days of a new link', () => {
    const caps = [0, 1, 3, 6, 7, 30].map((days) =>
      dailyCap(defaults, new Date(now.getTime() - days * DAY), now),
    );
    expect(caps).toEqual([125, 250, 500, 875, 1000, 1000]);
    expect(dailyCap(defaults, null, now)).toBe(1000);
    expect(dailyCap({ ...defaults, warmupDays: 0 }, now, now)).toBe(1000);
  });

  it('never lets an hour exceed the rate, the hourly cap or the day', () => {
    expect(hourlyCap(defaults, null, now)).toBe(80);
    expect(hourlyCap({ ...defaults, ratePerMinute: 1 }, null, now)).toBe(60);
    expect(hourlyCap({ ...defaults, maxPerDay: 50 }, null, now)).toBe(50);
  });

  it('estimates honestly: 1,300 subscribers at 80 an hour take over 16 hours, and the day cap adds a night', () => {
    const uncapped = estimateDurationMs(
      { ...defaults, maxPerDay: 10_000 },
      { remaining: 1300, now, linkedAt: null },
    );
    expect(uncapped / 3_600_000).toBeCloseTo(16.25, 1);
    // 1,000 go in the first 12.5 hours; the other 300 wait for the next day's allowance.
    const ms = estimateDurationMs(defaults, { remaining: 1300, now, linkedAt: null });
    expect(ms / 3_600_000).toBeCloseTo(27.75, 1);
    // A number linked today may send only 125 today: the rest waits for the following days.
    const warm = estimateDurationMs(defaults, { remaining: 1300, now, linkedAt: now });
    expect(warm).toBeGreaterThan(3 * DAY);
    expect(estimateDurationMs(defaults, { remaining: 0, now, linkedAt: null })).toBe(0);
  });
});

describeWithDatabase('the pacer', (ctx) => {
  it('is a token bucket at the rate with jitter around the mean gap', async () => {
    let clock = 0;
    const pacer = createPacer(
      ctx.db,
      { ...defaults, ratePerMinute: 6 },
      () => 1,
      () => clock,
    );
    expect((await pacer.allowance()).count).toBe(1);
    pacer.took(1);
    const wait = await pacer.allowance();
    expect(wait).toMatchObject({ count: 0, reason: 'rate' });
    // 10 s mean gap, plus a quarter of jitter with random() = 1.
    expect(wait.waitMs).toBe(12_500);
    clock += 12_500;
    expect((await pacer.allowance()).count).toBe(1);
  });

  it('stops at the hourly cap and says when the oldest send leaves the window', async () => {
    await seedSubscribers(ctx.db, 5);
    await approvedBulletin(ctx.db, 'Avviso');
    await ctx.db.execute(sql`
      UPDATE deliveries SET state = 'sent', sent_at = now() - interval '30 minutes' + id * interval '1 second'`);
    const pacer = createPacer(ctx.db, { ...defaults, maxPerHour: 5 });
    const allowance = await pacer.allowance();
    expect(allowance.reason).toBe('hour_cap');
    expect(allowance.waitMs).toBeGreaterThan(29 * 60_000);
    expect(allowance.waitMs).toBeLessThan(31 * 60_000);
    expect((await createPacer(ctx.db, { ...defaults, maxPerHour: 6 }).allowance()).count).toBe(1);
  });

  it('stops at the warm-up day cap of a number linked today', async () => {
    await seedSubscribers(ctx.db, 3);
    await approvedBulletin(ctx.db, 'Avviso');
    await ctx.db.execute(sql`UPDATE deliveries SET state = 'sent', sent_at = now() - interval '2 hours'`);
    await ctx.db.execute(sql`UPDATE bridge_state SET linked_at = now() - interval '3 hours'`);
    // 24 a day after warm-up; on day 0 of 7 that is 3.
    const pacer = createPacer(ctx.db, { ...defaults, maxPerDay: 24 });
    expect(await pacer.allowance()).toMatchObject({ count: 0, reason: 'day_cap' });
    await ctx.db.execute(sql`UPDATE bridge_state SET linked_at = now() - interval '30 days'`);
    expect((await pacer.allowance()).count).toBe(1);
  });
});

import { sql } from 'drizzle-orm';
import type { InputFile } from 'grammy';
import { describe, expect, it } from 'vitest';
import { createList } from '../../src/core/lists.js';
import { setRole } from '../../src/core/staff.js';
import {
  calendarDays,
  listStatistics,
  reconstructSeries,
  subscriberSeries,
} from '../../src/core/statistics.js';
import { optIn, optOut } from '../../src/core/subscriptions.js';
import { subscriptionEvents } from '../../src/db/schema.js';
import { subscribersChartPng } from '../../src/telegram/chart.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore, stranger } from './support.js';

const admins = [admin.id];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Noon in Rome (summer time), 15 June 2026. */
const NOW = new Date('2026-06-15T10:00:00Z');

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the series of active subscribers', () => {
  it('counts calendar days back from the last one, across month ends', () => {
    expect(calendarDays('2026-03-02', 3)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
    expect(calendarDays('2026-06-15', 90)[0]).toBe('2026-03-18');
  });

  it('walks back from today’s count, undoing each later day’s net change', () => {
    const days = ['d1', 'd2', 'd3', 'd4'];
    expect(
      reconstructSeries(
        days,
        5,
        new Map([
          ['d2', 2],
          ['d4', -1],
        ]),
      ),
    ).toEqual([4, 6, 6, 5]);
  });
});

describeWithDatabase('/iscritti and its numbers', (ctx) => {
  /** Three people on the default list, one on "Eventi", one who left; events at known times. */
  async function arrange() {
    await createList(ctx.db, { actorId: admin.id, adminIds: admins, name: 'Eventi' });
    for (const n of [1, 2, 3, 4]) {
      await optIn(ctx.db, { address: { lid: `${n}@lid` }, messageId: `M${n}`, privacyVersion: '1' });
    }
    await optIn(ctx.db, { address: { lid: '5@lid' }, messageId: 'M5', privacyVersion: '1', list: 'eventi' });
    await optOut(ctx.db, { address: { lid: '4@lid' } });
    await ctx.db.delete(subscriptionEvents);
    const events: [string, 'join' | 'leave', string][] = [
      ['notizie', 'join', '2026-06-15T08:00:00Z'], // today
      ['notizie', 'leave', '2026-06-14T22:30:00Z'], // 00:30 in Rome: today
      ['notizie', 'join', '2026-06-14T21:30:00Z'], // 23:30 in Rome, yesterday
      ['notizie', 'join', '2026-06-09T12:00:00Z'], // the 7th day back, counting today
      ['notizie', 'join', '2026-06-08T12:00:00Z'], // the 8th day back
      ['notizie', 'leave', '2026-05-20T12:00:00Z'],
      ['notizie', 'join', '2026-04-01T12:00:00Z'], // beyond 30 days
      ['notizie', 'join', '2026-01-01T12:00:00Z'], // beyond 90 days
      ['eventi', 'join', '2026-06-15T09:00:00Z'],
      ['eventi', 'join', '2026-06-15T11:00:00Z'], // after "now": not counted
    ];
    for (const [slug, kind, at] of events) {
      await ctx.db.execute(sql`
        INSERT INTO subscription_events (list_id, kind, at)
        SELECT id, ${kind}, ${at}::timestamptz FROM lists WHERE slug = ${slug}`);
    }
  }

  it('gives active subscribers per list, and joins and leaves today, in 7 and in 30 Rome days', async () => {
    await arrange();

    const stats = await listStatistics(ctx.db, NOW);

    expect(stats.map(({ name, active, windows }) => ({ name, active, windows }))).toEqual([
      {
        name: expect.any(String),
        active: 3,
        windows: {
          today: { joins: 1, leaves: 1 },
          week: { joins: 3, leaves: 1 },
          month: { joins: 4, leaves: 2 },
        },
      },
      {
        name: 'Eventi',
        active: 1,
        windows: {
          today: { joins: 1, leaves: 0 },
          week: { joins: 1, leaves: 0 },
          month: { joins: 1, leaves: 0 },
        },
      },
    ]);
  });

  it('reconstructs each day’s count over 90 days from today’s count and the events', async () => {
    await arrange();

    const series = await subscriberSeries(ctx.db, NOW);

    expect(series.days).toHaveLength(90);
    expect(series.days.at(-1)).toBe('2026-06-15');
    const main = series.lists[0]!.counts;
    const on = (day: string) => main[series.days.indexOf(day)];
    expect(on('2026-06-15')).toBe(3);
    expect(on('2026-06-14')).toBe(3);
    expect(on('2026-06-13')).toBe(2);
    expect(on('2026-06-08')).toBe(1);
    expect(on('2026-06-07')).toBe(0);
    expect(on('2026-05-20')).toBe(0);
    expect(on('2026-05-19')).toBe(1);
    expect(on('2026-04-01')).toBe(1);
    expect(on('2026-03-31')).toBe(0);
    expect(series.lists[1]!.counts.slice(-2)).toEqual([0, 1]);
  });

  it('draws the chart as a PNG of 900 × 450 in a bounded time, and draws it again only when it changes', async () => {
    await arrange();
    const series = await subscriberSeries(ctx.db, NOW);
    const first = await subscribersChartPng(series);
    expect(await subscribersChartPng(structuredClone(series))).toBe(first);
    series.lists[0]!.counts[89] = 4;

    const started = performance.now();
    const png = await subscribersChartPng(series);
    const ms = performance.now() - started;

    expect(png).not.toBe(first);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ width: 900, height: 450 });
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(300_000);
    // About 250 ms warm on the CI machine; the bound leaves room for a loaded runner.
    expect(ms).toBeLessThan(3_000);
  });

  it('answers a redattore with the numbers as the caption of the chart, and refuses a stranger', async () => {
    await arrange();
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    const t = createTestBot(ctx.db);

    await t.say(redattore, '/iscritti');
    await t.say(stranger, '/iscritti');

    const [photo, ...more] = t.api.calls('sendPhoto');
    expect(more).toEqual([]);
    expect(String(photo?.caption)).toMatch(
      /^Iscritti attivi: 4\.\n• .+ \(predefinita\): 3 iscritti\. Oggi \+\d+ −\d+; 7 giorni \+\d+ −\d+; 30 giorni \+\d+ −\d+\.\n• Eventi: 1 iscritto\. /,
    );
    const png = Buffer.from((await (photo!.photo as InputFile).toRaw()) as Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
  });
});

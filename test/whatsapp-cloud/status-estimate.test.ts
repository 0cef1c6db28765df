import { describe, expect, it } from 'vitest';
import { estimateDurationMs } from '../../src/core/pacing.js';
import { statusPacing } from '../../src/telegram/status-pacing.js';
import { cloudConfig } from '../helpers/cloud.js';
import { testConfig } from '../telegram/support.js';

const API_ROOT = 'http://127.0.0.1:9/v23.0';
const now = new Date('2026-12-02T09:00:00Z');
const DAY = 86_400_000;

describe('the status card’s estimate with the Cloud API', () => {
  it('counts 1,300 subscribers in about a minute at the default 20 a second, within the daily limit', () => {
    const pacing = statusPacing(cloudConfig(API_ROOT, { WA_CLOUD_DAILY_LIMIT: '10000' }));
    const ms = estimateDurationMs(pacing, { remaining: 1300, now, linkedAt: null });
    expect(ms).toBeGreaterThanOrEqual(64_000);
    expect(ms).toBeLessThan(70_000);
  });

  it('waits a day for each daily limit’s worth beyond the first', () => {
    const pacing = statusPacing(cloudConfig(API_ROOT));
    const ms = estimateDurationMs(pacing, { remaining: 1300, now, linkedAt: null, sentLastDay: 0 });
    // 250 people a day: five full days, and the last 50 in 2.5 s on the sixth.
    expect(ms).toBeGreaterThan(5 * DAY);
    expect(ms).toBeLessThan(5 * DAY + 60_000);
  });

  it('keeps Baileys’ pace for the Baileys transport', () => {
    const pacing = statusPacing(testConfig());
    expect(pacing.burst).toBeUndefined();
    const ms = estimateDurationMs(pacing, { remaining: 1300, now, linkedAt: null });
    expect(ms).toBeGreaterThan(10 * 3_600_000);
  });
});

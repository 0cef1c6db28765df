import { dailyCap, hourlyCap, type Pacing } from '../core/pacing.js';
import { recentSends } from '../core/send-history.js';
import type { Queryable } from '../db/client.js';

/** How many messages may go now; when none, how long to wait before asking again. */
export type Allowance = { count: number; waitMs: number; reason?: 'rate' | 'hour_cap' | 'day_cap' };

export type Pacer = {
  allowance(): Promise<Allowance>;
  /** Records that `count` messages went out (or were attempted). */
  took(count: number): void;
};

/** No pacing at all: for benchmarks and tests against stand-in sockets only. */
export const unpaced: Pacer = {
  allowance: async () => ({ count: Number.POSITIVE_INFINITY, waitMs: 0 }),
  took() {},
};

/**
 * A token bucket at SEND_RATE_PER_MINUTE (capacity one message, each send costing one token plus
 * or minus up to a quarter, so gaps vary the way a person's would), under the hourly and daily
 * caps counted in the database across every sender, with the warm-up of a newly linked number.
 */
export function createPacer(
  db: Queryable,
  pacing: Pacing,
  random: () => number = Math.random,
  clock: () => number = Date.now,
): Pacer {
  const perMs = pacing.ratePerMinute / 60_000;
  let tokens = 1;
  let filledAt = clock();

  function refill() {
    const now = clock();
    tokens = Math.min(1, tokens + (now - filledAt) * perMs);
    filledAt = now;
  }

  return {
    async allowance() {
      refill();
      if (tokens < 1) return { count: 0, waitMs: Math.ceil((1 - tokens) / perMs), reason: 'rate' };
      const recent = await recentSends(db);
      const hourRoom = hourlyCap(pacing, recent.linkedAt, recent.now) - recent.lastHour;
      if (hourRoom <= 0) {
        const waitMs =
          (recent.hourFreesAt?.getTime() ?? recent.now.getTime() + 60_000) - recent.now.getTime();
        return { count: 0, waitMs: Math.max(1_000, waitMs), reason: 'hour_cap' };
      }
      const dayRoom = dailyCap(pacing, recent.linkedAt, recent.now) - recent.lastDay;
      if (dayRoom <= 0) {
        const waitMs = (recent.dayFreesAt?.getTime() ?? recent.now.getTime() + 60_000) - recent.now.getTime();
        return { count: 0, waitMs: Math.max(1_000, waitMs), reason: 'day_cap' };
      }
      return { count: Math.min(Math.floor(tokens), hourRoom, dayRoom), waitMs: 0 };
    },
    took(count) {
      refill();
      for (let i = 0; i < count; i++) tokens -= 1 + (random() - 0.5) / 2;
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';

export type Bucket = {
  /** Waits for the next slot at the current rate (rejects when `signal` aborts). */
  take(signal?: AbortSignal): Promise<void>;
  /** The API said "too fast" (130429, 429, 503): halve the rate and hold every send for a while. */
  slowDown(): void;
  /** The current rate, messages a second. */
  rate(): number;
};

/** After this long without a throughput error the rate is back to the configured one. */
const RECOVERY_MS = 30_000;
const FIRST_HOLD_MS = 1_000;
const MAX_HOLD_MS = 30_000;

/**
 * A token bucket of one token at `ratePerSecond` (evenly spaced sends, no bursts Meta would count
 * against the second), shared by every concurrent send. A throughput error halves the rate, which
 * climbs back linearly over RECOVERY_MS, and holds all sends for 1 s, doubling while errors repeat.
 */
export function createBucket(ratePerSecond: number, clock: () => number = Date.now): Bucket {
  let current = ratePerSecond;
  let nextAt = clock();
  let holdUntil = 0;
  let hold = FIRST_HOLD_MS;
  let lastErrorAt = Number.NEGATIVE_INFINITY;
  let recoveredAt = clock();

  function recover(now: number) {
    current = Math.min(ratePerSecond, current + (ratePerSecond * (now - recoveredAt)) / RECOVERY_MS);
    recoveredAt = now;
    if (now - lastErrorAt > RECOVERY_MS) hold = FIRST_HOLD_MS;
  }

  return {
    async take(signal) {
      const now = clock();
      recover(now);
      const at = Math.max(now, nextAt, holdUntil);
      nextAt = at + 1000 / current;
      if (at > now) await sleep(at - now, undefined, signal ? { signal } : undefined);
    },
    slowDown() {
      const now = clock();
      // Errors of the sends already on the wire belong to the same burst: one slow-down for them.
      if (now < holdUntil) return;
      recover(now);
      current = Math.max(1, current / 2);
      holdUntil = now + hold;
      nextAt = Math.max(nextAt, holdUntil);
      hold = Math.min(MAX_HOLD_MS, hold * 2);
      lastErrorAt = now;
    },
    rate: () => current,
  };
}

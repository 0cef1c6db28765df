/** The sending limits, as configured (see ../shared/notes/WHATSAPP.md for the figures). */
export type Pacing = {
  ratePerMinute: number;
  maxPerHour: number;
  maxPerDay: number;
  /** Length of the warm-up ramp for a newly linked number; 0 turns it off. */
  warmupDays: number;
  /**
   * Sends at the full rate until a cap is reached instead of spreading the hour's room over the
   * hour (the Cloud API: the tier caps people a day, not messages an hour).
   */
  burst?: boolean;
};

/** The Cloud API's pace: WA_CLOUD_RATE_PER_SECOND, capped by the daily messaging limit only. */
export function cloudPacing(input: { ratePerSecond: number; dailyLimit: number }): Pacing {
  return {
    ratePerMinute: input.ratePerSecond * 60,
    maxPerHour: input.ratePerSecond * 3600,
    maxPerDay: input.dailyLimit,
    warmupDays: 0,
    burst: true,
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Today's cap: during the warm-up, day d (from 0) of a new link allows (d + 1) / (warmupDays + 1)
 * of SEND_MAX_PER_DAY, so a week-old number reaches the full figure gradually.
 */
export function dailyCap(pacing: Pacing, linkedAt: Date | null, now: Date): number {
  if (pacing.warmupDays <= 0 || !linkedAt) return pacing.maxPerDay;
  const day = Math.floor((now.getTime() - linkedAt.getTime()) / DAY);
  if (day >= pacing.warmupDays) return pacing.maxPerDay;
  return Math.max(1, Math.floor((pacing.maxPerDay * (Math.max(0, day) + 1)) / (pacing.warmupDays + 1)));
}

/** The hourly cap, never above what the rate allows in an hour or today's cap. */
export function hourlyCap(pacing: Pacing, linkedAt: Date | null, now: Date): number {
  return Math.min(pacing.maxPerHour, Math.floor(pacing.ratePerMinute * 60), dailyCap(pacing, linkedAt, now));
}

/**
 * An honest estimate of how long `remaining` messages take at these limits, starting `now`, with
 * `sentLastHour` / `sentLastDay` already used. Hour by hour: the rate, the hourly cap and the
 * daily cap (with the warm-up) each bound what one hour can send.
 */
export function estimateDurationMs(
  pacing: Pacing,
  input: { remaining: number; now: Date; linkedAt: Date | null; sentLastHour?: number; sentLastDay?: number },
): number {
  let remaining = input.remaining;
  if (remaining <= 0) return 0;
  let t = input.now.getTime();
  let usedHour = input.sentLastHour ?? 0;
  let usedDay = input.sentLastDay ?? 0;
  let dayEnds = t + DAY;
  for (let hour = 0; hour < 24 * 366; hour++) {
    const at = new Date(t);
    const room = Math.max(
      0,
      Math.min(
        hourlyCap(pacing, input.linkedAt, at) - usedHour,
        dailyCap(pacing, input.linkedAt, at) - usedDay,
      ),
    );
    if (room >= remaining) {
      const perMs = pacing.burst
        ? pacing.ratePerMinute / 60_000
        : Math.min(pacing.ratePerMinute / 60_000, room / HOUR);
      return t + remaining / perMs - input.now.getTime();
    }
    remaining -= room;
    usedDay += room;
    usedHour = 0;
    t += HOUR;
    if (t >= dayEnds) {
      dayEnds += DAY;
      usedDay = 0;
    }
  }
  return t - input.now.getTime();
}

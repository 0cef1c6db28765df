// Time in Europe/Rome, where staff and citizens live: quick choices, `gg/mm hh:mm`, the sending
// window. Pure functions of an instant; Intl knows the DST rules, so no dependency is needed.

const ZONE = 'Europe/Rome';

/** A wall-clock time in Rome; `weekday` 0 = Sunday ... 6 = Saturday. */
export type RomeTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
};

/** Minutes after midnight in Rome: `startMinute` inclusive, `endMinute` exclusive. */
export type SendWindow = { startMinute: number; endMinute: number };

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  weekday: 'short',
});

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function romeTime(at: Date): RomeTime {
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(String(parts.weekday)),
  };
}

/** How far Rome's clock is ahead of UTC at this instant, in minutes (60 or 120). */
function offsetMinutes(at: Date): number {
  const t = romeTime(at);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a Rome wall-clock time names. Day overflow is normalised (day 32 is the 1st of the
 * next month). A time the spring change skips (02:30) lands an hour later; one the autumn change
 * repeats is its first occurrence.
 */
export function fromRome(year: number, month: number, day: number, hour: number, minute: number): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Rome is one hour ahead of UTC in winter, two in summer: try summer first (the earlier instant).
  for (const offset of [120, 60]) {
    const at = new Date(asUtc - offset * 60_000);
    if (offsetMinutes(at) === offset) return at;
  }
  return new Date(asUtc - 60 * 60_000);
}

function minuteOfDay(t: RomeTime): number {
  return t.hour * 60 + t.minute;
}

/** True when a bulletin may start at this instant. A window from 00:00 to 24:00 is always open. */
export function inWindow(at: Date, window: SendWindow): boolean {
  const m = minuteOfDay(romeTime(at));
  const { startMinute: start, endMinute: end } = window;
  if (start === end) return true;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The instant itself when the window is open then, else the window's next opening. */
export function nextOpening(at: Date, window: SendWindow): Date {
  if (inWindow(at, window)) return at;
  const t = romeTime(at);
  const hour = Math.floor(window.startMinute / 60);
  const minute = window.startMinute % 60;
  // Closed: before today's opening, or after today's closing (then tomorrow's opening).
  const today = fromRome(t.year, t.month, t.day, hour, minute);
  return today > at ? today : fromRome(t.year, t.month, t.day + 1, hour, minute);
}

/** The quick choices under "Programma", in the order shown. */
export const QUICK_CHOICES = ['h1', 'h3', 't8', 't12', 'm8'] as const;
export type QuickChoice = (typeof QUICK_CHOICES)[number];

export function isQuickChoice(value: string | undefined): value is QuickChoice {
  return QUICK_CHOICES.some((c) => c === value);
}

/** h1/h3: in one or three hours (to the minute); t8/t12: tomorrow at 8 or 12; m8: next Monday at 8. */
export function quickChoiceTime(choice: QuickChoice, now: Date): Date {
  const nowMinute = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  const t = romeTime(now);
  switch (choice) {
    case 'h1':
      return new Date(nowMinute.getTime() + 3_600_000);
    case 'h3':
      return new Date(nowMinute.getTime() + 3 * 3_600_000);
    case 't8':
      return fromRome(t.year, t.month, t.day + 1, 8, 0);
    case 't12':
      return fromRome(t.year, t.month, t.day + 1, 12, 0);
    case 'm8': {
      const days = (8 - t.weekday) % 7 || 7;
      return fromRome(t.year, t.month, t.day + days, 8, 0);
    }
  }
}

/**
 * `gg/mm hh:mm` or `gg/mm/aaaa hh:mm` (also `hh.mm`), Rome time. Without a year, this year's
 * month, or next year's when this year's month is over a month gone (in December, 03/01 is January).
 * Undefined when it is not a real date and time.
 */
export function parseRomeTime(text: string, now: Date): Date | undefined {
  const match = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?\s+(\d{1,2})[:.](\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const [day, month, yearText, hour, minute] = [match[1], match[2], match[3], match[4], match[5]].map((v) =>
    v === undefined ? undefined : Number(v),
  ) as [number, number, number | undefined, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return undefined;
  let year = yearText ?? romeTime(now).year;
  if (yearText === undefined && fromRome(year, month, 1, 0, 0).getTime() < now.getTime() - 62 * 86_400_000) {
    year += 1;
  }
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return fromRome(year, month, day, hour, minute);
}

/**
 * When a bulletin starts: the time asked for (none: as soon as it is approved, i.e. `now`), a time
 * already gone counting as now; outside the window, the next opening, unless it is urgent. Null
 * means "now": approval fans it out at once.
 */
export function startTime(input: {
  requested: Date | null;
  urgent: boolean;
  now: Date;
  window: SendWindow;
}): Date | null {
  const { requested, urgent, now, window } = input;
  const base = requested !== null && requested > now ? requested : now;
  const start = urgent ? base : nextOpening(base, window);
  return start.getTime() === now.getTime() ? null : start;
}

import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';

export type JoinsLeaves = { joins: number; leaves: number };

export type ListStatistics = {
  id: number;
  name: string;
  isDefault: boolean;
  active: number;
  windows: { today: JoinsLeaves; week: JoinsLeaves; month: JoinsLeaves };
};

/** Days are Rome's calendar days: "today" starts at midnight in Italy, whatever the server's zone. */
const ZONE = 'Europe/Rome';

/**
 * Active subscribers of each joinable list, and who joined and left today, in the last 7 and in
 * the last 30 days (today included), from the anonymous join and leave events.
 */
export async function listStatistics(db: Queryable, now: Date): Promise<ListStatistics[]> {
  const at = now.toISOString();
  const rows = rowsOf<Record<string, string | number | boolean>>(
    await db.execute(sql`
      WITH day AS (SELECT date_trunc('day', ${at}::timestamptz AT TIME ZONE ${ZONE}) AS start),
      since AS (
        SELECT day.start AT TIME ZONE ${ZONE} AS today,
               (day.start - interval '6 days') AT TIME ZONE ${ZONE} AS week,
               (day.start - interval '29 days') AT TIME ZONE ${ZONE} AS month
        FROM day
      )
      SELECT l.id, l.name, l.is_default AS "isDefault",
        (SELECT count(*) FROM subscriptions s WHERE s.list_id = l.id AND s.left_at IS NULL) AS active,
        count(e.id) FILTER (WHERE e.kind = 'join' AND e.at >= since.today) AS "todayJoins",
        count(e.id) FILTER (WHERE e.kind = 'leave' AND e.at >= since.today) AS "todayLeaves",
        count(e.id) FILTER (WHERE e.kind = 'join' AND e.at >= since.week) AS "weekJoins",
        count(e.id) FILTER (WHERE e.kind = 'leave' AND e.at >= since.week) AS "weekLeaves",
        count(e.id) FILTER (WHERE e.kind = 'join') AS "monthJoins",
        count(e.id) FILTER (WHERE e.kind = 'leave') AS "monthLeaves"
      FROM lists l CROSS JOIN since
      LEFT JOIN subscription_events e
        ON e.list_id = l.id AND e.at >= since.month AND e.at <= ${at}::timestamptz
      WHERE l.archived_at IS NULL
      GROUP BY l.id, since.today, since.week, since.month
      ORDER BY l.is_default DESC, l.slug`),
  );
  const n = (value: unknown) => Number(value ?? 0);
  return rows.map((r) => ({
    id: n(r.id),
    name: String(r.name),
    isDefault: r.isDefault === true || r.isDefault === 't',
    active: n(r.active),
    windows: {
      today: { joins: n(r.todayJoins), leaves: n(r.todayLeaves) },
      week: { joins: n(r.weekJoins), leaves: n(r.weekLeaves) },
      month: { joins: n(r.monthJoins), leaves: n(r.monthLeaves) },
    },
  }));
}

/** The Rome calendar date of a moment, as YYYY-MM-DD. */
export function romeDate(at: Date): string {
  return at.toLocaleDateString('en-CA', { timeZone: ZONE });
}

/** The `count` calendar dates ending with `last` (YYYY-MM-DD), oldest first. */
export function calendarDays(last: string, count: number): string[] {
  const [y, m, d] = last.split('-').map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(y, m - 1, d - (count - 1 - i))).toISOString().slice(0, 10),
  );
}

/**
 * Active count at the end of each day, walking back from today's: the count at the end of a day
 * is the next day's minus that next day's net change. People who joined before the events began
 * are in today's count, so they are in every day's. Never below zero.
 */
export function reconstructSeries(days: string[], current: number, net: Map<string, number>): number[] {
  const counts = new Array<number>(days.length).fill(0);
  let count = current;
  for (let i = days.length - 1; i >= 0; i--) {
    counts[i] = Math.max(0, count);
    count -= net.get(days[i]!) ?? 0;
  }
  return counts;
}

export type SubscriberSeries = { days: string[]; lists: { name: string; counts: number[] }[] };

/** Active subscribers of each joinable list at the end of each of the last `days` Rome days. */
export async function subscriberSeries(db: Queryable, now: Date, days = 90): Promise<SubscriberSeries> {
  const calendar = calendarDays(romeDate(now), days);
  const lists = await listStatistics(db, now);
  const at = now.toISOString();
  const rows = rowsOf<{ list_id: number; day: string; net: number | string }>(
    await db.execute(sql`
      SELECT e.list_id, to_char(e.at AT TIME ZONE ${ZONE}, 'YYYY-MM-DD') AS day,
             sum(CASE WHEN e.kind = 'join' THEN 1 ELSE -1 END) AS net
      FROM subscription_events e
      WHERE e.at >= (${calendar[0]}::date::timestamp AT TIME ZONE ${ZONE}) AND e.at <= ${at}::timestamptz
      GROUP BY 1, 2`),
  );
  return {
    days: calendar,
    lists: lists.map((list) => {
      const net = new Map(
        rows.filter((r) => Number(r.list_id) === list.id).map((r) => [r.day, Number(r.net)] as const),
      );
      return { name: list.name, counts: reconstructSeries(calendar, list.active, net) };
    }),
  };
}

export type JoinSources = { keyword: number; import: number };

/**
 * Active people by how they joined: by writing a keyword (on any of their lists) or only by being
 * imported from an existing list. The two add up to the active people.
 */
export async function joinSources(db: Queryable): Promise<JoinSources> {
  const [row] = rowsOf<{ keyword: number | string; imported: number | string }>(
    await db.execute(sql`
      SELECT count(*) FILTER (WHERE by_keyword) AS keyword, count(*) FILTER (WHERE NOT by_keyword) AS imported
      FROM (
        SELECT bool_or(s.source = 'keyword') AS by_keyword FROM subscriptions s
        WHERE s.left_at IS NULL GROUP BY s.subscriber_id
      ) people`),
  );
  return { keyword: Number(row?.keyword ?? 0), import: Number(row?.imported ?? 0) };
}

import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';

/**
 * What the caps need: messages sent in the last hour and day (bulletins and replies to citizens,
 * by any process), and when the link began.
 */
export async function recentSends(db: Queryable): Promise<{
  lastHour: number;
  lastDay: number;
  /** When the oldest send of the window leaves it, so a capped sender knows how long to wait. */
  hourFreesAt: Date | undefined;
  dayFreesAt: Date | undefined;
  linkedAt: Date | null;
  now: Date;
}> {
  const [row] = rowsOf<{
    last_hour: string | number;
    last_day: string | number;
    hour_frees_at: string | Date | null;
    day_frees_at: string | Date | null;
    linked_at: string | Date | null;
    now: string | Date;
  }>(
    await db.execute(sql`
      SELECT count(*) FILTER (WHERE sent_at > now() - interval '1 hour') AS last_hour,
             count(*) AS last_day,
             min(sent_at) FILTER (WHERE sent_at > now() - interval '1 hour') + interval '1 hour' AS hour_frees_at,
             min(sent_at) + interval '1 day' AS day_frees_at,
             (SELECT linked_at FROM bridge_state WHERE id = 1) AS linked_at,
             now() AS now
      FROM (SELECT sent_at FROM deliveries WHERE sent_at > now() - interval '1 day'
            UNION ALL
            SELECT sent_at FROM replies WHERE sent_at > now() - interval '1 day') AS sends`),
  );
  const date = (value: string | Date | null | undefined) => (value ? new Date(value) : undefined);
  return {
    lastHour: Number(row?.last_hour ?? 0),
    lastDay: Number(row?.last_day ?? 0),
    hourFreesAt: date(row?.hour_frees_at),
    dayFreesAt: date(row?.day_frees_at),
    linkedAt: date(row?.linked_at) ?? null,
    now: date(row?.now) ?? new Date(),
  };
}

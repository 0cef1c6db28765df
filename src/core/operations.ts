import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import type { LinkState } from './bridge-state.js';

/** The delivery states the operations snapshot counts; 'in_flight' is a pending one under a live lease. */
export const DELIVERY_STATES = ['pending', 'in_flight', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryStateCount = Record<(typeof DELIVERY_STATES)[number], number>;

export type OperationsSnapshot = {
  /** Every list by its slug (staff-chosen), with its active subscribers and all-time joins and leaves. */
  lists: { slug: string; active: number; joins: number; leaves: number }[];
  /** Deliveries of the bulletins sending now or finished in the last 24 hours, by state. */
  recentDeliveries: DeliveryStateCount;
  /** Every delivery still to send (pending, leased or not), and when the oldest was queued. */
  queue: { depth: number; oldestQueuedAt: Date | null; paused: boolean };
  link: LinkState;
  lastSentAt: Date | null;
  sentLastHour: number;
  now: Date;
};

/**
 * What the metrics endpoint reads at each scrape, in one round trip and only through indexes or
 * small tables (lists, bulletins, the queue's partial index): never a scan of all deliveries.
 */
export async function operationsSnapshot(db: Queryable): Promise<OperationsSnapshot> {
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT
        (SELECT coalesce(json_agg(json_build_object(
            'slug', l.slug,
            'active', (SELECT count(*) FROM subscriptions s WHERE s.list_id = l.id AND s.left_at IS NULL),
            'joins', coalesce(e.joins, 0), 'leaves', coalesce(e.leaves, 0)
          ) ORDER BY l.slug), '[]'::json)::text
         FROM lists l LEFT JOIN (
           SELECT list_id, count(*) FILTER (WHERE kind = 'join') AS joins,
                  count(*) FILTER (WHERE kind = 'leave') AS leaves
           FROM subscription_events GROUP BY list_id) e ON e.list_id = l.id) AS lists,
        (SELECT coalesce(json_object_agg(state, n), '{}'::json)::text FROM (
          SELECT CASE WHEN d.state = 'pending' AND d.lease_until > now() THEN 'in_flight'
                      ELSE d.state::text END AS state, count(*) AS n
          FROM bulletins b JOIN deliveries d ON d.bulletin_id = b.id
          WHERE b.state = 'sending' OR b.finished_at > now() - interval '1 day'
          GROUP BY 1) s) AS recent,
        (SELECT count(*) FROM deliveries WHERE state = 'pending') AS depth,
        (SELECT min(created_at) FROM deliveries WHERE state = 'pending') AS oldest,
        (SELECT count(*) FROM deliveries WHERE sent_at > now() - interval '1 hour') AS last_hour,
        (SELECT max(sent_at) FROM deliveries WHERE sent_at IS NOT NULL) AS last_sent_at,
        b.link, b.paused_at IS NOT NULL AS paused, now() AS now
      FROM bridge_state b WHERE b.id = 1`),
  );
  if (!row) throw new Error('bridge_state row missing: migrations not applied?');
  const date = (value: unknown) => (value ? new Date(value as string | Date) : null);
  const lists = JSON.parse(String(row.lists)) as OperationsSnapshot['lists'];
  const recent = JSON.parse(String(row.recent)) as Partial<Record<string, number>>;
  return {
    lists: lists.map((l) => ({
      ...l,
      active: Number(l.active),
      joins: Number(l.joins),
      leaves: Number(l.leaves),
    })),
    recentDeliveries: Object.fromEntries(
      DELIVERY_STATES.map((state) => [state, Number(recent[state] ?? 0)]),
    ) as DeliveryStateCount,
    queue: {
      depth: Number(row.depth),
      oldestQueuedAt: date(row.oldest),
      paused: row.paused === true || row.paused === 't',
    },
    link: row.link as LinkState,
    lastSentAt: date(row.last_sent_at),
    sentLastHour: Number(row.last_hour),
    now: date(row.now) ?? new Date(),
  };
}

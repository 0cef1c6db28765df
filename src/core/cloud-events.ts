import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { cloudEvents } from '../db/schema.js';

/**
 * Cloud API webhooks (WA_TRANSPORT=cloud): the body is stored as it came, once its signature was
 * checked, and answered 200 at once; processing reads it back from here. Meta retries slow or
 * failed answers and may send the same message twice: each message id is answered once by the
 * inbound table, statuses only ever raise a state.
 */
export async function recordCloudEvent(db: Queryable, body: string): Promise<void> {
  await db.insert(cloudEvents).values({ body });
}

/** Stored webhook bodies still to process, oldest first. */
export async function pendingCloudEvents(
  db: Queryable,
  limit: number,
): Promise<{ id: number; body: string }[]> {
  return db
    .select({ id: cloudEvents.id, body: cloudEvents.body })
    .from(cloudEvents)
    .orderBy(asc(cloudEvents.id))
    .limit(limit);
}

/** A processed body goes at once: it holds numbers and what people wrote. */
export async function dropCloudEvent(db: Queryable, id: number): Promise<void> {
  await db.delete(cloudEvents).where(eq(cloudEvents.id, id));
}

/**
 * Meta answered 131047 to a free-form message our clock thought inside the window: the window is
 * closed as far as we know, so the delivery goes as the template next time.
 */
export async function closeInboundWindow(db: Queryable, subscriberId: number): Promise<void> {
  await db.execute(sql`
    UPDATE cloud_windows SET last_inbound_at = least(last_inbound_at, now() - interval '24 hours')
    WHERE subscriber_id = ${subscriberId}`);
}

/**
 * A citizen wrote at `at`: their 24-hour customer service window runs from then. Only for someone
 * already known by this phone number (a first "Iscrizione" has made them known by now).
 */
export async function recordInboundWindow(
  db: Queryable,
  input: { phoneJid: string; at: Date },
): Promise<void> {
  await db.execute(sql`
    INSERT INTO cloud_windows (subscriber_id, last_inbound_at)
    SELECT id, ${input.at.toISOString()}::timestamptz FROM subscribers WHERE phone_jid = ${input.phoneJid}
    ON CONFLICT (subscriber_id) DO UPDATE
    SET last_inbound_at = greatest(cloud_windows.last_inbound_at, excluded.last_inbound_at)`);
}

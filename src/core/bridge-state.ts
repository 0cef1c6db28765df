import { eq, sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import { bridgeState } from '../db/schema.js';
import { type QueuePause, sendingPause } from './send-control.js';

/** How the bridge's link to WhatsApp stands, as staff read it in /stato. */
export type LinkState =
  | 'connecting'
  | 'waiting_for_link'
  | 'open'
  | 'reconnecting'
  | 'replaced'
  | 'logged_out'
  | 'banned'
  | 'outdated'
  | 'stopped';

/**
 * Records the link as the bridge sees it. On 'open' the linked number is kept; the warm-up ramp
 * counts from the first link of that number, so a new number starts warming up again.
 */
export async function recordLink(
  db: Queryable,
  input: { link: LinkState; linkedNumber?: string | undefined },
): Promise<void> {
  const number = input.linkedNumber ?? null;
  await db
    .update(bridgeState)
    .set({
      link: input.link,
      linkChangedAt: sql`case when ${bridgeState.link} = ${input.link} then ${bridgeState.linkChangedAt} else now() end`,
      ...(input.link === 'open'
        ? {
            qr: null,
            linkedNumber: number,
            linkedAt: sql`case when ${bridgeState.linkedNumber} is distinct from ${number} then now()
                          else coalesce(${bridgeState.linkedAt}, now()) end`,
          }
        : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(bridgeState.id, 1));
}

/** The QR to link with while unlinked (null once linked); the staff bot shows it. */
export async function setLinkQr(db: Queryable, qr: string | null): Promise<void> {
  await db.update(bridgeState).set({ qr, updatedAt: sql`now()` }).where(eq(bridgeState.id, 1));
}

/** Takes the pending pairing request, if any, so it is served once. */
export async function takePairingRequest(db: Queryable): Promise<string | undefined> {
  const [row] = rowsOf<{ number: string | null }>(
    await db.execute(sql`
      WITH old AS (
        SELECT pairing_number FROM bridge_state WHERE id = 1 AND pairing_requested_at IS NOT NULL FOR UPDATE
      )
      UPDATE bridge_state b SET pairing_number = NULL, pairing_requested_at = NULL
      FROM old WHERE b.id = 1
      RETURNING old.pairing_number AS number`),
  );
  return row?.number ?? undefined;
}

/** The staff group message that shows the QR (undefined when none is shown). */
export async function qrMessage(db: Queryable): Promise<{ qr: string | null; messageId: number | null }> {
  const [row] = await db
    .select({ qr: bridgeState.qr, messageId: bridgeState.qrMessageId })
    .from(bridgeState)
    .where(eq(bridgeState.id, 1));
  return { qr: row?.qr ?? null, messageId: row?.messageId ?? null };
}

export async function setQrMessageId(db: Queryable, messageId: number | null): Promise<void> {
  await db.update(bridgeState).set({ qrMessageId: messageId }).where(eq(bridgeState.id, 1));
}

export type BridgeStatus = {
  link: LinkState;
  linkChangedAt: Date;
  linkedNumber: string | null;
  /** A newly linked number waiting for an amministratore's confirmation. */
  unconfirmedNumber: string | null;
  queued: number;
  lastSentAt: Date | null;
  pause: QueuePause | undefined;
  /** The whole database's size on disk (PGlite's data directory or the Postgres database). */
  databaseBytes: number;
};

/** What /stato shows: the link, the linked number, the queue, the last send, any pause, the database's size. */
export async function bridgeStatus(db: Queryable): Promise<BridgeStatus> {
  const pause = await sendingPause(db);
  const [row] = rowsOf<{
    link: string;
    link_changed_at: string | Date;
    linked_number: string | null;
    unconfirmed_number: string | null;
    queued: string | number;
    last_sent_at: string | Date | null;
    database_bytes: string | number;
  }>(
    await db.execute(sql`
      SELECT b.link, b.link_changed_at, b.linked_number, b.unconfirmed_number,
        (SELECT count(*) FROM deliveries WHERE state IN ('pending', 'in_flight')) AS queued,
        greatest((SELECT max(sent_at) FROM deliveries), (SELECT max(last_sent_at) FROM delivery_counts))
          AS last_sent_at,
        pg_database_size(current_database()) AS database_bytes
      FROM bridge_state b WHERE b.id = 1`),
  );
  if (!row) throw new Error('bridge_state row missing: migrations not applied?');
  return {
    link: row.link as LinkState,
    linkChangedAt: new Date(row.link_changed_at),
    linkedNumber: row.linked_number,
    unconfirmedNumber: row.unconfirmed_number,
    queued: Number(row.queued),
    lastSentAt: row.last_sent_at ? new Date(row.last_sent_at) : null,
    pause,
    databaseBytes: Number(row.database_bytes),
  };
}

/**
 * Why a sending bulletin is not moving, if it is held: the whole queue paused, or WhatsApp not
 * linked. Undefined when the bridge is free to send.
 */
export async function sendingHeldBy(db: Queryable): Promise<'queue_paused' | 'unlinked' | undefined> {
  const [bridge] = await db
    .select({ link: bridgeState.link, pausedAt: bridgeState.pausedAt })
    .from(bridgeState);
  if (!bridge) return undefined;
  if (bridge.pausedAt !== null) return 'queue_paused';
  return bridge.link !== 'open' ? 'unlinked' : undefined;
}

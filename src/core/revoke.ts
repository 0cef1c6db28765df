import { sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { recordAudit } from './audit.js';
import { inOutletOrder } from './bulletin-outlets.js';
import { REVOKE_WINDOW_HOURS } from './control.js';
import { messageIdOf, messageIdSecret } from './message-id.js';
import { postStaffNotice } from './notices.js';
import type { OutletName } from './outlets.js';

export type Revocation = { deliveryId: number; messageId: string; jid: string };

/**
 * Sent messages of bulletins staff asked to withdraw ("Ritira"), still inside WhatsApp's window
 * for deleting for everyone, and not yet deleted.
 */
export async function pendingRevocations(db: Queryable, limit: number): Promise<Revocation[]> {
  const secret = await messageIdSecret(db);
  const rows = rowsOf<{
    id: string | number;
    bulletin_id: number;
    subscriber_id: number;
    message_id: string | null;
    jid: string | null;
  }>(
    await db.execute(sql`
      SELECT d.id, d.bulletin_id, d.subscriber_id, d.message_id, coalesce(s.phone_jid, s.lid) AS jid
      FROM deliveries d
      JOIN bulletins b ON b.id = d.bulletin_id
      JOIN subscribers s ON s.id = d.subscriber_id
      WHERE ${withdrawingBulletin}
        AND d.state = 'sent' AND d.revoked_at IS NULL
        AND d.sent_at > now() - make_interval(hours => ${REVOKE_WINDOW_HOURS})
        AND coalesce(s.phone_jid, s.lid) IS NOT NULL
      ORDER BY d.id
      LIMIT ${limit}`),
  );
  return rows.map((row) => ({
    deliveryId: Number(row.id),
    messageId: messageIdOf(secret, row),
    jid: row.jid!,
  }));
}

/** A bulletin `b` whose withdrawal was asked for and is not done yet. */
export const withdrawingBulletin = sql`b.revoke_requested_at IS NOT NULL AND b.revoke_done_at IS NULL`;

export async function markRevoked(db: Queryable, deliveryId: number): Promise<void> {
  await db.execute(sql`UPDATE deliveries SET revoked_at = now() WHERE id = ${deliveryId}`);
}

/**
 * Closes withdrawals with nothing left to delete and tells staff how many messages were
 * withdrawn (those past WhatsApp's window, or sent to people who since left, stay) and which
 * outlets could not delete their post; waits while any outlet's post is still to be deleted.
 */
export async function completeRevocations(
  db: Db,
): Promise<{ bulletinId: number; revoked: number; notRevoked: OutletName[] }[]> {
  return db.transaction(async (tx) => {
    const done = rowsOf<{ id: number; revoked: number; not_revoked: string | null }>(
      await tx.execute(sql`
        UPDATE bulletins b
        SET revoke_done_at = now(),
            revoked_count = (SELECT count(*) FROM deliveries d WHERE d.bulletin_id = b.id AND d.revoked_at IS NOT NULL)
        WHERE ${withdrawingBulletin}
          AND NOT EXISTS (
            SELECT 1 FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
            WHERE d.bulletin_id = b.id AND d.state = 'sent' AND d.revoked_at IS NULL
              AND d.sent_at > now() - make_interval(hours => ${REVOKE_WINDOW_HOURS})
              AND coalesce(s.phone_jid, s.lid) IS NOT NULL)
          AND NOT EXISTS (
            SELECT 1 FROM publications p WHERE p.bulletin_id = b.id
              AND (p.state = 'posted' OR (p.state = 'posting' AND p.lease_until > now())))
        RETURNING b.id, b.revoked_count AS revoked,
          (SELECT string_agg(p.outlet::text, ',') FROM publications p
           WHERE p.bulletin_id = b.id AND p.state = 'revoke_failed') AS not_revoked`),
    );
    const results = done.map((row) => ({
      bulletinId: Number(row.id),
      revoked: Number(row.revoked),
      notRevoked: inOutletOrder(row.not_revoked ? row.not_revoked.split(',') : []),
    }));
    for (const result of results) {
      await postStaffNotice(tx, {
        kind: 'bulletin_revoked',
        bulletinId: result.bulletinId,
        revoked: result.revoked,
        ...(result.notRevoked.length > 0 ? { notRevoked: result.notRevoked } : {}),
      });
      await recordAudit(tx, {
        actorId: null,
        action: 'revoke',
        bulletinId: result.bulletinId,
        detail: {
          revoked: result.revoked,
          done: true,
          ...(result.notRevoked.length > 0 ? { notRevoked: result.notRevoked } : {}),
        },
      });
    }
    return results;
  });
}

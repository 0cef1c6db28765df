import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import { decodeDeliveryMessageId, messageIdSecret } from './message-id.js';

/** WhatsApp's message statuses we count (proto.WebMessageInfo.Status). */
export const RECEIPT = { serverAck: 2, delivered: 3, read: 4 } as const;

/**
 * Applies a batch of receipts for messages we sent: each delivery keeps its highest status, and its
 * bulletin's counts rise once per recipient per level. A receipt counts only when it comes from
 * that delivery's recipient (`from` holds the sender's phone jid and/or LID); receipts for ids
 * that are not ours, from anyone else, or whose row was already pruned change nothing. Returns
 * the rows that rose.
 */
export async function recordReceipts(
  db: Db,
  input: { receipts: { messageId: string; status: number; from: string[] }[]; retentionHours: number },
): Promise<number> {
  const secret = await messageIdSecret(db);
  const incoming = input.receipts
    // PLAYED (5) counts as read.
    .map(({ messageId, status, from }) => {
      const key = decodeDeliveryMessageId(secret, messageId);
      return {
        message_id: messageId,
        bulletin_id: key?.bulletinId ?? null,
        subscriber_id: key?.subscriberId ?? null,
        status: Math.min(status, RECEIPT.read),
        from,
      };
    })
    .filter((r) => r.status >= RECEIPT.serverAck && r.from.length > 0);
  if (incoming.length === 0) return 0;
  return db.transaction(async (tx) => {
    const rose = rowsOf<{ bulletin_id: number; old: number; new: number }>(
      await tx.execute(sql`
        WITH incoming AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(incoming)}::jsonb)
            AS i(message_id text, bulletin_id integer, subscriber_id integer, status smallint, "from" jsonb)
        ),
        -- Our ids name their delivery; ids stored before migration 0018 are looked up as they are.
        located AS (
          SELECT d.id, d.subscriber_id, i.status, i."from" FROM incoming i
          JOIN deliveries d ON d.bulletin_id = i.bulletin_id AND d.subscriber_id = i.subscriber_id
            AND d.message_id IS NULL
          UNION ALL
          SELECT d.id, d.subscriber_id, i.status, i."from" FROM incoming i
          JOIN deliveries d ON d.message_id = i.message_id
          WHERE i.bulletin_id IS NULL
        ),
        matched AS (
          SELECT DISTINCT ON (i.id) i.id, i.status
          FROM located i
          JOIN subscribers s ON s.id = i.subscriber_id
            AND (i."from" @> jsonb_build_array(s.phone_jid) OR i."from" @> jsonb_build_array(s.lid))
          ORDER BY i.id, i.status DESC
        ),
        current AS (
          SELECT d.id, d.bulletin_id, coalesce(r.status, 0) AS old, m.status AS new
          FROM matched m
          JOIN deliveries d ON d.id = m.id AND (d.state = 'sent' OR d.lease_token IS NOT NULL)
          LEFT JOIN receipts r ON r.delivery_id = d.id
          -- A receipt may overtake the mark of its send; a very late one (row pruned) is ignored.
          WHERE coalesce(d.sent_at, now()) > now() - make_interval(hours => ${input.retentionHours})
          FOR UPDATE OF d
        ),
        upserted AS (
          INSERT INTO receipts (delivery_id, status, updated_at)
          SELECT id, new, now() FROM current WHERE new > old
          ON CONFLICT (delivery_id) DO UPDATE SET status = excluded.status, updated_at = now()
          WHERE receipts.status < excluded.status
          RETURNING delivery_id
        )
        SELECT c.bulletin_id, c.old, c.new FROM current c JOIN upserted u ON u.delivery_id = c.id`),
    );
    const counts = new Map<number, { acks: number; delivered: number; read: number }>();
    for (const row of rose) {
      const c = counts.get(row.bulletin_id) ?? { acks: 0, delivered: 0, read: 0 };
      const crossed = (level: number) => Number(row.old) < level && Number(row.new) >= level;
      if (crossed(RECEIPT.serverAck)) c.acks += 1;
      if (crossed(RECEIPT.delivered)) c.delivered += 1;
      if (crossed(RECEIPT.read)) c.read += 1;
      counts.set(row.bulletin_id, c);
    }
    for (const [bulletinId, c] of counts) {
      await tx.execute(sql`
        UPDATE bulletins SET server_acks = server_acks + ${c.acks}, delivered = delivered + ${c.delivered},
                             read = read + ${c.read}
        WHERE id = ${bulletinId}`);
    }
    return rose.length;
  });
}

/** Deletes per-recipient receipt rows older than the retention; the bulletins' counts stay. */
export async function pruneReceipts(db: Db, retentionHours: number): Promise<number> {
  const result = await db.execute(sql`
    WITH pruned AS (
      DELETE FROM receipts WHERE updated_at < now() - make_interval(hours => ${retentionHours}) RETURNING 1
    )
    SELECT count(*)::int AS pruned FROM pruned`);
  return Number(rowsOf<{ pruned: number }>(result)[0]?.pruned ?? 0);
}

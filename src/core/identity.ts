import { sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';

/**
 * WhatsApp told us that a phone jid and a LID are one person: the subscriber known under one of
 * them learns the other. When the two were kept as two people (one joined from the phone jid, the
 * other from the LID), they become one, so nobody gets each bulletin twice. Returns the rows
 * changed.
 */
export async function learnAddressPair(db: Db, pair: { phoneJid: string; lid: string }): Promise<number> {
  return db.transaction(async (tx) => {
    const people = rowsOf<{ id: number; phone_jid: string | null; lid: string | null }>(
      await tx.execute(sql`
        SELECT id, phone_jid, lid FROM subscribers
        WHERE phone_jid = ${pair.phoneJid} OR lid = ${pair.lid}
        ORDER BY id FOR UPDATE`),
    );
    const [keep, drop] = people;
    if (!keep) return 0;
    if (drop) await merge(tx, keep.id, drop.id);
    else if (keep.phone_jid === pair.phoneJid && keep.lid === pair.lid) return 0;
    await tx.execute(sql`
      UPDATE subscribers SET phone_jid = ${pair.phoneJid}, lid = ${pair.lid} WHERE id = ${keep.id}`);
    return drop ? 2 : 1;
  });
}

/** Folds `drop` into `keep`: memberships, consent and queued messages move; `drop` is erased. */
async function merge(tx: Queryable, keep: number, drop: number): Promise<void> {
  await tx.execute(sql`
    UPDATE subscriptions SET subscriber_id = ${keep}
    WHERE subscriber_id = ${drop}
      AND list_id NOT IN (SELECT list_id FROM subscriptions WHERE subscriber_id = ${keep})`);
  // A list both rows were on: active if either was, with the active one's consent.
  await tx.execute(sql`
    UPDATE subscriptions k SET left_at = NULL, joined_at = d.joined_at,
      opt_in_message_id = d.opt_in_message_id, privacy_version = d.privacy_version,
      source = d.source, import_id = d.import_id
    FROM subscriptions d
    WHERE k.subscriber_id = ${keep} AND d.subscriber_id = ${drop} AND d.list_id = k.list_id
      AND k.left_at IS NOT NULL AND d.left_at IS NULL`);
  await tx.execute(sql`DELETE FROM subscriptions WHERE subscriber_id = ${drop}`);
  await tx.execute(sql`
    UPDATE deliveries SET state = 'cancelled'
    WHERE subscriber_id = ${drop} AND state = 'pending'
      AND bulletin_id IN (SELECT bulletin_id FROM deliveries WHERE subscriber_id = ${keep})`);
  await tx.execute(sql`
    UPDATE deliveries SET subscriber_id = ${keep} WHERE subscriber_id = ${drop} AND state = 'pending'`);
  await tx.execute(sql`
    UPDATE subscribers SET phone_jid = NULL, lid = NULL, push_name = NULL, erased_at = coalesce(erased_at, now())
    WHERE id = ${drop}`);
}

import { sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';

/**
 * WhatsApp told us that a phone jid and a LID are one person: the subscriber known under one of
 * them learns the other, unless another row already holds it. Returns the rows that learned.
 */
export async function learnAddressPair(
  db: Queryable,
  pair: { phoneJid: string; lid: string },
): Promise<number> {
  const learned = await db.execute(sql`
    UPDATE subscribers s
    SET phone_jid = coalesce(s.phone_jid, ${pair.phoneJid}), lid = coalesce(s.lid, ${pair.lid})
    WHERE s.erased_at IS NULL
      AND ((s.phone_jid = ${pair.phoneJid} AND s.lid IS NULL
            AND NOT EXISTS (SELECT 1 FROM subscribers o WHERE o.lid = ${pair.lid}))
        OR (s.lid = ${pair.lid} AND s.phone_jid IS NULL
            AND NOT EXISTS (SELECT 1 FROM subscribers o WHERE o.phone_jid = ${pair.phoneJid})))
    RETURNING s.id`);
  return rowsOf(learned).length;
}

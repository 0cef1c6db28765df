import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { autoReplies } from '../db/schema.js';
import { senderHash } from './sender-hash.js';

/**
 * Whether this sender may get the automatic reply now: at most once per `cooldownHours`, so two
 * bots answering each other cannot loop. Claims the slot when it answers true (one statement, so
 * two messages at once get one reply).
 */
export async function claimAutoReply(db: Queryable, jid: string, cooldownHours: number): Promise<boolean> {
  const rows = await db
    .insert(autoReplies)
    .values({ senderHash: senderHash(jid) })
    .onConflictDoUpdate({
      target: autoReplies.senderHash,
      set: { repliedAt: sql`now()` },
      setWhere: sql`${autoReplies.repliedAt} <= now() - make_interval(hours => ${cooldownHours})`,
    })
    .returning({ at: autoReplies.repliedAt });
  return rows.length === 1;
}

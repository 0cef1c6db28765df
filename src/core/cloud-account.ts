import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { cloudAccount } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { postStaffNotice } from './notices.js';

export type MessagingTier = {
  /** As Meta names it: TIER_250, TIER_2K, TIER_UNLIMITED... */
  tier: string;
  /** People a day; null when unlimited. */
  limit: number | null;
};

/** The tier Meta last reported for the number, if it has. */
export async function messagingTier(db: Queryable): Promise<(MessagingTier & { at: Date }) | undefined> {
  const [row] = await db
    .select({ tier: cloudAccount.tier, limit: cloudAccount.messagingLimit, at: cloudAccount.updatedAt })
    .from(cloudAccount)
    .where(eq(cloudAccount.id, 1));
  return row;
}

/**
 * Meta reported the number's messaging-limit tier (a webhook): kept for /stato and the sender,
 * which stays under the lower of it and WA_CLOUD_DAILY_LIMIT. A change is told to staff once (Meta
 * may repeat itself) with the configured limit beside it, and written in the register.
 */
export async function recordMessagingTier(
  db: Db,
  input: MessagingTier & { configured: number },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ tier: cloudAccount.tier, limit: cloudAccount.messagingLimit })
      .from(cloudAccount)
      .where(eq(cloudAccount.id, 1))
      .for('update');
    if (before?.tier === input.tier) return false;
    await tx
      .insert(cloudAccount)
      .values({ id: 1, tier: input.tier, messagingLimit: input.limit })
      .onConflictDoUpdate({
        target: cloudAccount.id,
        set: { tier: input.tier, messagingLimit: input.limit, updatedAt: sql`now()` },
      });
    await postStaffNotice(tx, {
      kind: 'cloud_tier',
      limit: input.limit,
      previous: before ? before.limit : undefined,
      configured: input.configured,
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'cloud_tier',
      detail: { tier: input.tier, previous: before?.tier ?? null },
    });
    return true;
  });
}

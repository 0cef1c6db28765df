import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { bulletinOutlets as bulletinOutletsTable } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { bulletinOutlets } from './bulletin-outlets.js';
import { DomainError } from './errors.js';
import type { OutletName } from './outlets.js';
import { pendingDraft, type Revision, revise } from './versions.js';
import { availableOutlets } from './whatsapp-channel.js';

type Actor = Parameters<typeof revise>[2];

/**
 * Adds or removes one configured outlet from a pending bulletin; at least one stays. An outlet is
 * added only while it can publish (availableOutlets, read in the transaction that adds it); one
 * chosen earlier that no longer can may still be removed. Where it goes is part of what an
 * approver approves, so this makes a new version (its hash covers the outlets), as a change of
 * lists does.
 */
export async function toggleTargetOutlet(
  db: Db,
  input: Actor & {
    bulletinId: number;
    version: number | undefined;
    outlet: OutletName;
    /** The outlets this installation runs: only those can be chosen, and only while available. */
    configured: readonly OutletName[];
  },
): Promise<Revision> {
  if (!input.configured.includes(input.outlet)) throw new DomainError('outlet_not_configured');
  return db.transaction(async (tx) => {
    // Locks the bulletin row first so two toggles at once cannot both remove "the other" outlet.
    await tx.execute(sql`SELECT 1 FROM bulletins WHERE id = ${input.bulletinId} FOR UPDATE`);
    const bulletin = await pendingDraft(tx, input);
    const mine = and(
      eq(bulletinOutletsTable.bulletinId, bulletin.id),
      eq(bulletinOutletsTable.outlet, input.outlet),
    );
    const removed = await tx.delete(bulletinOutletsTable).where(mine).returning();
    if (removed.length > 0) {
      if ((await bulletinOutlets(tx, bulletin.id)).length === 0) throw new DomainError('last_target_outlet');
    } else {
      if (!(await availableOutlets(tx, input.configured)).includes(input.outlet))
        throw new DomainError('outlet_not_available');
      await tx.insert(bulletinOutletsTable).values({ bulletinId: bulletin.id, outlet: input.outlet });
    }
    const revision = await revise(tx, bulletin, input, {}, 'outlets');
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'outlet_change',
      bulletinId: bulletin.id,
      version: revision.bulletin.version,
      detail: { outlet: input.outlet, change: removed.length > 0 ? 'target_remove' : 'target_add' },
    });
    return revision;
  });
}

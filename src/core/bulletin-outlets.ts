import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletinOutlets as bulletinOutletsTable } from '../db/schema.js';
import { DomainError } from './errors.js';
import { OUTLET_NAMES, type OutletName } from './outlets.js';

/** What a bulletin goes out through when nothing else is said: WhatsApp 1:1, as before outlets. */
export const DEFAULT_OUTLETS: readonly OutletName[] = ['whatsapp'];

/** Outlets in the one order staff see them (OUTLET_NAMES'), without repeats. */
export function inOutletOrder(outlets: Iterable<string>): OutletName[] {
  const wanted = new Set(outlets);
  return OUTLET_NAMES.filter((name) => wanted.has(name));
}

/** The outlets a bulletin goes out through now. */
export async function bulletinOutlets(db: Queryable, bulletinId: number): Promise<OutletName[]> {
  const rows = await db
    .select({ outlet: bulletinOutletsTable.outlet })
    .from(bulletinOutletsTable)
    .where(eq(bulletinOutletsTable.bulletinId, bulletinId));
  return inOutletOrder(rows.map((row) => row.outlet));
}

/** Sets a new bulletin's outlets (at least one); returns them in order. */
export async function setBulletinOutlets(
  tx: Queryable,
  bulletinId: number,
  outlets: readonly OutletName[],
): Promise<OutletName[]> {
  const ordered = inOutletOrder(outlets);
  if (ordered.length === 0) throw new DomainError('last_target_outlet');
  await tx
    .insert(bulletinOutletsTable)
    .values(ordered.map((outlet) => ({ bulletinId, outlet })))
    .onConflictDoNothing();
  return ordered;
}

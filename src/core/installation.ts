import { count, isNotNull, not } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import {
  auditLog,
  bridgeState,
  bulletins,
  lists,
  media,
  staffMembers,
  subscribers,
  subscriptionEvents,
} from '../db/schema.js';

/**
 * What makes an installation the Comune's: subscribers and their history, bulletins, staff, lists
 * made by staff, the audit register, a WhatsApp number once linked. A database holding none of it
 * is empty, even if the program has run on it once (its default list, an unlinked login).
 * Returns what it holds, e.g. ['12 subscribers', '3 bulletins']; an empty list when empty.
 */
export async function comuneData(db: Queryable): Promise<string[]> {
  const counted = async (what: string, rows: Promise<{ n: number }[]>) => {
    const n = Number((await rows)[0]?.n ?? 0);
    return n > 0 ? `${n} ${what}` : undefined;
  };
  const found = await Promise.all([
    counted('subscribers', db.select({ n: count() }).from(subscribers)),
    counted('subscription events', db.select({ n: count() }).from(subscriptionEvents)),
    counted('bulletins', db.select({ n: count() }).from(bulletins)),
    counted('media files', db.select({ n: count() }).from(media)),
    counted('staff members', db.select({ n: count() }).from(staffMembers)),
    counted('audit entries', db.select({ n: count() }).from(auditLog)),
    counted('lists made by staff', db.select({ n: count() }).from(lists).where(not(lists.isDefault))),
    counted(
      'linked WhatsApp number',
      db.select({ n: count() }).from(bridgeState).where(isNotNull(bridgeState.linkedAt)),
    ),
  ]);
  return found.filter((line): line is string => line !== undefined);
}

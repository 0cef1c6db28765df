import { asc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { staffNotices } from '../db/schema.js';

export type BulletinReport = { bulletinId: number; sent: number; failed: number };

/** What the bridge tells the staff group; the bot turns each kind into words. */
export type StaffNotice =
  | ({ kind: 'bulletin_sent' } & BulletinReport)
  | { kind: 'bulletin_revoked'; bulletinId: number; revoked: number }
  | BridgeNotice;

/** What the WhatsApp bridge tells staff about its link and about WhatsApp's ban signals. */
export type BridgeNotice =
  | { kind: 'wa_linked'; number: string | null }
  | { kind: 'wa_down'; minutes: number }
  | { kind: 'wa_back'; minutes: number }
  | { kind: 'wa_replaced' }
  | { kind: 'wa_logged_out' }
  /** Linked to a number other than the one before: sending waits for an amministratore. */
  | { kind: 'wa_new_number'; number: string; previous: string | null }
  | { kind: 'wa_banned' }
  | { kind: 'wa_outdated' }
  | { kind: 'pairing_code'; code: string }
  | { kind: 'pairing_failed'; reason: 'linked' | 'not_connecting' | 'error' }
  | {
      kind: 'sending_paused';
      signal: 'error_463' | 'reachout_timelock' | 'message_capping';
      until: string | null;
    }
  | { kind: 'sending_resumed'; signal: string };

/** Queues a notice for the staff group (posted by the bot, whichever process it runs in). */
export async function postStaffNotice(db: Queryable, notice: StaffNotice): Promise<void> {
  await db.insert(staffNotices).values({ kind: notice.kind, payload: notice });
}

/** Notices not yet posted, oldest first. */
export async function unpostedNotices(
  db: Queryable,
  limit = 20,
): Promise<{ id: number; notice: StaffNotice }[]> {
  const rows = await db
    .select({ id: staffNotices.id, payload: staffNotices.payload })
    .from(staffNotices)
    .where(isNull(staffNotices.postedAt))
    .orderBy(asc(staffNotices.id))
    .limit(limit);
  return rows.map((row) => ({ id: row.id, notice: row.payload as StaffNotice }));
}

export async function markNoticePosted(db: Queryable, id: number): Promise<void> {
  await db.update(staffNotices).set({ postedAt: new Date() }).where(eq(staffNotices.id, id));
}

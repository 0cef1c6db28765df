import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { staffNotices } from '../db/schema.js';
import type { OutletName } from './outlets.js';

/**
 * Cloud API signals that pause the whole queue and are told to staff: 131048 spam rate limit, 368
 * policy block, 190/401 the access token refused; from account webhooks the number's quality fallen
 * to red, the account restricted or disabled; the template refused, a payment problem.
 */
export type CloudPauseSignal =
  | 'cloud_spam_limit'
  | 'cloud_policy_block'
  | 'cloud_token'
  | 'cloud_quality_red'
  | 'cloud_restricted'
  | 'cloud_template'
  | 'cloud_payment';

export type BulletinReport = { bulletinId: number; sent: number; failed: number };

/** What the bridge tells the staff group; the bot turns each kind into words. */
export type StaffNotice =
  | ({ kind: 'bulletin_sent' } & BulletinReport)
  | { kind: 'bulletin_revoked'; bulletinId: number; revoked: number; notRevoked?: OutletName[] }
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
      signal: 'error_463' | 'reachout_timelock' | 'message_capping' | CloudPauseSignal;
      until: string | null;
    }
  /** Meta reported another messaging-limit tier (people a day; null: unlimited). */
  | { kind: 'cloud_tier'; limit: number | null; previous: number | null | undefined; configured: number }
  /** Meta reviewed WA_CLOUD_TEMPLATE: APPROVED, REJECTED, FLAGGED, PAUSED, DISABLED, REINSTATED. */
  | { kind: 'cloud_template_status'; event: string; name: string }
  | { kind: 'sending_resumed'; signal: string };

/** Queues a notice for the staff group (posted by the bot, whichever process it runs in). */
export async function postStaffNotice(db: Queryable, notice: StaffNotice): Promise<void> {
  await db.insert(staffNotices).values({ kind: notice.kind, payload: notice });
}

/** A notice Telegram refuses this many times is skipped: it would hold every later one. */
export const MAX_NOTICE_REFUSALS = 3;

/** Notices not yet posted nor skipped, oldest first. */
export async function unpostedNotices(
  db: Queryable,
  limit = 20,
): Promise<{ id: number; notice: StaffNotice }[]> {
  const rows = await db
    .select({ id: staffNotices.id, payload: staffNotices.payload })
    .from(staffNotices)
    .where(and(isNull(staffNotices.postedAt), isNull(staffNotices.skippedAt)))
    .orderBy(asc(staffNotices.id))
    .limit(limit);
  return rows.map((row) => ({ id: row.id, notice: row.payload as StaffNotice }));
}

export async function markNoticePosted(db: Queryable, id: number): Promise<void> {
  await db.update(staffNotices).set({ postedAt: new Date() }).where(eq(staffNotices.id, id));
}

/**
 * Counts a refusal by Telegram (not a network failure); at the MAX_NOTICE_REFUSALS-th the notice is
 * skipped for good. Returns whether it was skipped.
 */
export async function recordNoticeRefused(db: Queryable, id: number): Promise<boolean> {
  const [row] = await db
    .update(staffNotices)
    .set({
      attempts: sql`${staffNotices.attempts} + 1`,
      skippedAt: sql`case when ${staffNotices.attempts} + 1 >= ${MAX_NOTICE_REFUSALS} then now() end`,
    })
    .where(eq(staffNotices.id, id))
    .returning({ skippedAt: staffNotices.skippedAt });
  return row?.skippedAt != null;
}

import { and, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins } from '../db/schema.js';
import { REVOKE_WINDOW_HOURS } from './control.js';

/**
 * Bulletins whose live status may still change: queued or sending, finished within WhatsApp's
 * window for withdrawing (receipts keep arriving, "Ritira" is still possible), or taken out of the
 * queue (unscheduled, withdrawn) while their status message still says queued.
 */
export async function watchedBulletins(db: Queryable) {
  return db
    .select({
      id: bulletins.id,
      state: bulletins.state,
      sendAt: bulletins.sendAt,
      pausedAt: bulletins.pausedAt,
      finishedAt: bulletins.finishedAt,
      statusMessageId: bulletins.statusMessageId,
      previewMessageId: bulletins.previewMessageId,
      delivered: bulletins.delivered,
      read: bulletins.read,
      revokeRequestedAt: bulletins.revokeRequestedAt,
      revokeDoneAt: bulletins.revokeDoneAt,
      revokedCount: bulletins.revokedCount,
      withinRevokeWindow: sql<boolean>`coalesce(${bulletins.finishedAt} > now() - make_interval(hours => ${REVOKE_WINDOW_HOURS}), false)`,
    })
    .from(bulletins)
    .where(
      or(
        inArray(bulletins.state, ['approved', 'sending']),
        and(
          inArray(bulletins.state, ['sent', 'stopped']),
          sql`${bulletins.finishedAt} > now() - make_interval(hours => ${REVOKE_WINDOW_HOURS})`,
        ),
        and(
          inArray(bulletins.state, ['pending', 'rejected', 'withdrawn']),
          isNotNull(bulletins.statusMessageId),
        ),
      ),
    )
    .orderBy(bulletins.id);
}

export type WatchedBulletin = Awaited<ReturnType<typeof watchedBulletins>>[number];

/** Remembers the staff group message showing a bulletin's status; the first one posted wins. */
export async function setStatusMessage(
  db: Queryable,
  bulletinId: number,
  messageId: number,
): Promise<boolean> {
  const rows = await db
    .update(bulletins)
    .set({ statusMessageId: messageId })
    .where(and(eq(bulletins.id, bulletinId), isNull(bulletins.statusMessageId)))
    .returning({ id: bulletins.id });
  return rows.length === 1;
}

/** The status message is gone (deleted in the group): the next look posts a new one. */
export async function forgetStatusMessage(
  db: Queryable,
  bulletinId: number,
  messageId: number,
): Promise<void> {
  await db
    .update(bulletins)
    .set({ statusMessageId: null })
    .where(and(eq(bulletins.id, bulletinId), eq(bulletins.statusMessageId, messageId)));
}

/** Whether "Ritira" can still reach the messages: WhatsApp deletes for everyone only for about two days. */
export function withinRevokeWindow(finishedAt: Date | null, now: Date): boolean {
  return finishedAt === null || now.getTime() - finishedAt.getTime() < REVOKE_WINDOW_HOURS * 3_600_000;
}

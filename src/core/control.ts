import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { bulletins, deliveries } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { type Bulletin, getBulletin } from './bulletins.js';
import { DomainError } from './errors.js';
import { cancelPendingPublications } from './publications.js';
import { requireRole } from './staff.js';

/** WhatsApp lets a sender delete a message for everyone for about two days. */
export const REVOKE_WINDOW_HOURS = 48;

type Actor = { bulletinId: number; actorId: number; adminIds: readonly number[] };

async function changeSending(db: Db, input: Actor, action: 'pause' | 'resume'): Promise<Bulletin> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'approvatore');
    await getBulletin(tx, input.bulletinId);
    const [bulletin] = await tx
      .update(bulletins)
      .set({ pausedAt: action === 'pause' ? sql`now()` : null })
      .where(
        and(
          eq(bulletins.id, input.bulletinId),
          eq(bulletins.state, 'sending'),
          action === 'pause' ? isNull(bulletins.pausedAt) : isNotNull(bulletins.pausedAt),
        ),
      )
      .returning();
    if (!bulletin) throw new DomainError('bulletin_not_sending');
    await recordAudit(tx, { actorId: input.actorId, action, bulletinId: bulletin.id });
    return bulletin;
  });
}

/**
 * An approver pauses a bulletin that is being sent: nothing more of it goes out on any outlet (1:1
 * deliveries and broadcast posts not yet claimed wait), nothing is lost.
 */
export function pauseBulletin(db: Db, input: Actor): Promise<Bulletin> {
  return changeSending(db, input, 'pause');
}

/** An approver resumes a paused bulletin; the sender wakes at once. */
export function resumeBulletin(db: Db, input: Actor): Promise<Bulletin> {
  return changeSending(db, input, 'resume');
}

/**
 * An approver stops a bulletin for good: what was sent stays sent, the rest is cancelled (1:1
 * deliveries and broadcast posts not yet made).
 * Returns the number of deliveries cancelled.
 */
export async function stopBulletin(db: Db, input: Actor): Promise<{ bulletin: Bulletin; cancelled: number }> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'approvatore');
    await getBulletin(tx, input.bulletinId);
    const [bulletin] = await tx
      .update(bulletins)
      .set({ state: 'stopped', pausedAt: null, finishedAt: sql`now()` })
      .where(and(eq(bulletins.id, input.bulletinId), eq(bulletins.state, 'sending')))
      .returning();
    if (!bulletin) throw new DomainError('bulletin_not_sending');
    // A delivery in flight right now may still be sent; its mark is fenced by its lease.
    const cancelled = await tx
      .update(deliveries)
      .set({ state: 'cancelled', leaseToken: null, leaseUntil: null })
      .where(and(eq(deliveries.bulletinId, bulletin.id), eq(deliveries.state, 'pending')))
      .returning({ id: deliveries.id });
    const unpublished = await cancelPendingPublications(tx, bulletin.id);
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'stop',
      bulletinId: bulletin.id,
      detail: { cancelled: cancelled.length, ...(unpublished > 0 ? { unpublished } : {}) },
    });
    return { bulletin, cancelled: cancelled.length };
  });
}

/**
 * "Ritira": asks for a bulletin's sent messages to be deleted for everyone (1:1 within WhatsApp's
 * window, by the bridge) and its posts on every outlet that can delete them (by core's engine); a
 * bulletin still sending is stopped first. The report names the outlets that could not.
 */
export async function requestRevoke(db: Db, input: Actor): Promise<Bulletin> {
  const current = await db.transaction((tx) => getBulletin(tx, input.bulletinId));
  if (current.state === 'sending') await stopBulletin(db, input);
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'approvatore');
    const [bulletin] = await tx
      .update(bulletins)
      .set({ revokeRequestedAt: sql`now()` })
      .where(
        and(
          eq(bulletins.id, input.bulletinId),
          inArray(bulletins.state, ['sent', 'stopped']),
          isNull(bulletins.revokeRequestedAt),
        ),
      )
      .returning();
    if (!bulletin) throw new DomainError('bulletin_not_sent');
    await recordAudit(tx, { actorId: input.actorId, action: 'revoke', bulletinId: bulletin.id });
    return bulletin;
  });
}

import { and, asc, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { auditLog, bulletins } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { type Bulletin, getBulletin } from './bulletins.js';
import type { Actor } from './decisions.js';
import { startBulletin } from './deliveries.js';
import { DomainError } from './errors.js';
import { type SendWindow, startTime } from './schedule.js';
import { requireRole } from './staff.js';

/** A window that is always open: what core assumes when the caller names none. */
export const ALWAYS_OPEN: SendWindow = { startMinute: 0, endMinute: 24 * 60 };

/** States in which a bulletin has not started: it can still be scheduled, marked urgent, withdrawn. */
export const OPEN = ['pending', 'approved'] as const;

/**
 * The time last asked for (by "Programma", /programma, or held at approval), before any window
 * moved it: null for "as soon as possible", undefined when the register has no such entry.
 */
export async function requestedTime(tx: Queryable, bulletinId: number): Promise<Date | null | undefined> {
  const [last] = await tx
    .select({ detail: auditLog.detail })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.bulletinId, bulletinId),
        inArray(auditLog.action, ['schedule', 'unschedule', 'approve']),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!last) return undefined;
  const requested = (last.detail as { requested?: unknown }).requested;
  return typeof requested === 'string' ? new Date(requested) : null;
}

type When = { window?: SendWindow; now?: Date };

/** Throws unless an approvatore or above may change when this bulletin goes out (it has not started). */
export async function checkSchedulable(tx: Queryable, actor: Actor, bulletinId: number): Promise<Bulletin> {
  await requireRole(tx, actor.userId, actor.adminIds, 'approvatore');
  const current = await getBulletin(tx, bulletinId);
  if (current.state !== 'pending' && current.state !== 'approved') throw new DomainError('bulletin_closed');
  return current;
}

/**
 * An approvatore or above sets when a bulletin that has not started goes out, before or after
 * approval. A time gone is refused; outside the sending window the start moves to its next opening,
 * unless the bulletin is urgent. Returns the start it will have.
 */
export async function scheduleBulletin(
  db: Db,
  input: Actor & When & { bulletinId: number; at: Date },
): Promise<{ bulletin: Bulletin; startsAt: Date }> {
  const now = input.now ?? new Date();
  if (input.at.getTime() <= now.getTime()) throw new DomainError('time_in_past');
  return db.transaction(async (tx) => {
    const current = await checkSchedulable(tx, input, input.bulletinId);
    const startsAt =
      startTime({ requested: input.at, urgent: current.urgent, now, window: input.window ?? ALWAYS_OPEN }) ??
      input.at;
    const [bulletin] = await tx
      .update(bulletins)
      .set({ sendAt: startsAt })
      .where(and(eq(bulletins.id, current.id), eq(bulletins.state, current.state)))
      .returning();
    if (!bulletin) throw new DomainError('bulletin_closed');
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'schedule',
      bulletinId: bulletin.id,
      version: bulletin.version,
      detail: { name: input.name, requested: input.at.toISOString(), at: startsAt.toISOString() },
    });
    return { bulletin, startsAt };
  });
}

/**
 * An approvatore or above cancels a bulletin's time. A pending one then goes out when approved; an
 * approved one goes back to pending, so nothing leaves earlier than anyone decided.
 */
export async function unscheduleBulletin(db: Db, input: Actor & { bulletinId: number }): Promise<Bulletin> {
  return db.transaction(async (tx) => {
    const current = await checkSchedulable(tx, input, input.bulletinId);
    if (current.sendAt === null) throw new DomainError('not_scheduled');
    const back = current.state === 'approved';
    const [bulletin] = await tx
      .update(bulletins)
      .set(
        back
          ? {
              sendAt: null,
              state: 'pending',
              decidedBy: null,
              decidedAt: null,
              approvedVersion: null,
              approvedHash: null,
            }
          : { sendAt: null },
      )
      .where(and(eq(bulletins.id, current.id), eq(bulletins.state, current.state)))
      .returning();
    if (!bulletin) throw new DomainError('bulletin_closed');
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'unschedule',
      bulletinId: bulletin.id,
      version: bulletin.version,
      detail: { name: input.name, requested: null, at: current.sendAt.toISOString(), approvalCleared: back },
    });
    return bulletin;
  });
}

/**
 * An approvatore or above marks a bulletin that has not started urgent, or not: an urgent one
 * ignores the sending window and is sent first. Approved and due, it starts now.
 */
export async function toggleUrgent(
  db: Db,
  input: Actor & When & { bulletinId: number },
): Promise<{ bulletin: Bulletin; queued: number | undefined }> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const current = await checkSchedulable(tx, input, input.bulletinId);
    const urgent = !current.urgent;
    // The time asked for before any window moved it; a time set some other way counts as asked.
    const asked = await requestedTime(tx, current.id);
    const requested = asked === undefined ? current.sendAt : asked;
    const window = input.window ?? ALWAYS_OPEN;
    // A pending bulletin without a time gets one only when approved.
    const sendAt =
      current.state === 'pending' && requested === null
        ? null
        : startTime({ requested, urgent, now, window });
    const [bulletin] = await tx
      .update(bulletins)
      .set({ urgent, sendAt })
      .where(and(eq(bulletins.id, current.id), eq(bulletins.state, current.state)))
      .returning();
    if (!bulletin) throw new DomainError('bulletin_closed');
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'schedule',
      bulletinId: bulletin.id,
      version: bulletin.version,
      detail: {
        name: input.name,
        urgent,
        requested: requested?.toISOString() ?? null,
        at: sendAt?.toISOString() ?? null,
      },
    });
    if (bulletin.state !== 'approved' || sendAt !== null) return { bulletin, queued: undefined };
    const queued = await startBulletin(tx, bulletin.id);
    return { bulletin: { ...bulletin, state: 'sending' as const }, queued };
  });
}

/** Bulletins with a time that have not started, soonest first. */
export async function scheduledBulletins(db: Queryable): Promise<Bulletin[]> {
  return db
    .select()
    .from(bulletins)
    .where(and(inArray(bulletins.state, [...OPEN]), isNotNull(bulletins.sendAt)))
    .orderBy(asc(bulletins.sendAt), asc(bulletins.id));
}

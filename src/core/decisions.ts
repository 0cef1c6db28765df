import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { auditLog, bulletins, bulletinVersions } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { type Bulletin, bulletinTargets, getBulletin } from './bulletins.js';
import { startBulletin } from './deliveries.js';
import { DomainError } from './errors.js';
import { type SendWindow, startTime } from './schedule.js';
import { ALWAYS_OPEN, OPEN, requestedTime } from './scheduling.js';
import { hasRole, requireRole } from './staff.js';

/** Who acts, as the register and the preview name them. */
export type Actor = { userId: number; name: string; adminIds: readonly number[] };

/** A rejection's reason fits in a line of the preview. */
export const MAX_REASON_LENGTH = 300;

/** Throws the refusal that explains why a conditional update matched nothing. */
async function whyNot(tx: Queryable, bulletinId: number, seenVersion?: number): Promise<never> {
  const current = await getBulletin(tx, bulletinId);
  if (current.state !== 'pending') throw new DomainError('bulletin_not_pending');
  if (seenVersion !== undefined && current.version !== seenVersion) throw new DomainError('stale_version');
  throw new DomainError('bulletin_not_pending');
}

/**
 * An approvatore or above approves the version they saw, never a bulletin of which they wrote any
 * version (text, media, category or lists) while a second approver is required. The approval binds
 * the version's hash, which covers the target lists; two presses at once yield one approval (the
 * update is conditional on the state and version). Due now and inside the window (or urgent), its
 * deliveries are queued in the same transaction; otherwise it waits for its time.
 */
export async function approve(
  db: Db,
  input: Actor & {
    bulletinId: number;
    version: number | undefined;
    requireSecondApprover?: boolean;
    window?: SendWindow;
    now?: Date;
  },
): Promise<{ bulletin: Bulletin; queued: number; startsAt: Date | null }> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    await requireRole(tx, input.userId, input.adminIds, 'approvatore');
    const current = await getBulletin(tx, input.bulletinId);
    if (current.state !== 'pending') throw new DomainError('bulletin_not_pending');
    if (input.version === undefined || current.version !== input.version)
      throw new DomainError('stale_version');
    if ((input.requireSecondApprover ?? true) && (await wroteAnyVersion(tx, current, input.userId))) {
      throw new DomainError('self_approval');
    }
    const [seen] = await tx
      .select({ hash: bulletinVersions.hash, listIds: bulletinVersions.listIds })
      .from(bulletinVersions)
      .where(and(eq(bulletinVersions.bulletinId, current.id), eq(bulletinVersions.version, input.version)));
    if (!seen) throw new Error(`bulletin ${current.id} has no version ${input.version}`);
    // The lists changed without a new version (by code older than versioned lists): not what was seen.
    const targets = await bulletinTargets(tx, current.id);
    if (seen.listIds !== null && seen.listIds.join() !== targets.ids.join())
      throw new DomainError('stale_version');
    const asked = await requestedTime(tx, current.id);
    const requested = asked === undefined ? current.sendAt : asked;
    const startsAt = startTime({
      // The time set by scheduling, already moved for the window unless urgent; gone means now.
      requested: current.sendAt,
      urgent: current.urgent,
      now,
      window: input.window ?? ALWAYS_OPEN,
    });
    const [bulletin] = await tx
      .update(bulletins)
      .set({
        state: 'approved',
        decidedBy: input.userId,
        decidedAt: now,
        approvedVersion: input.version,
        approvedHash: seen.hash,
        sendAt: startsAt,
      })
      .where(
        and(
          eq(bulletins.id, current.id),
          eq(bulletins.state, 'pending'),
          eq(bulletins.version, input.version),
        ),
      )
      .returning();
    if (!bulletin) return whyNot(tx, current.id, input.version);
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'approve',
      bulletinId: bulletin.id,
      version: input.version,
      hash: seen.hash,
      detail: {
        name: input.name,
        requested: requested?.toISOString() ?? null,
        startsAt: startsAt?.toISOString() ?? null,
      },
    });
    if (startsAt !== null) return { bulletin, queued: 0, startsAt };
    const queued = (await startBulletin(tx, bulletin.id)) ?? 0;
    return { bulletin: { ...bulletin, state: 'sending' as const }, queued, startsAt };
  });
}

/** Whether `userId` drafted the bulletin or made any of its versions. */
async function wroteAnyVersion(tx: Queryable, bulletin: Bulletin, userId: number): Promise<boolean> {
  if (bulletin.authorId === userId) return true;
  const [row] = await tx
    .select({ version: bulletinVersions.version })
    .from(bulletinVersions)
    .where(and(eq(bulletinVersions.bulletinId, bulletin.id), eq(bulletinVersions.authorId, userId)))
    .limit(1);
  return row !== undefined;
}

/** Whether this approvatore may reject this version now; nothing changes until the reason comes. */
export async function checkRejectable(
  db: Queryable,
  input: Actor & { bulletinId: number; version: number | undefined },
): Promise<Bulletin> {
  await requireRole(db, input.userId, input.adminIds, 'approvatore');
  const current = await getBulletin(db, input.bulletinId);
  if (current.state !== 'pending') throw new DomainError('bulletin_not_pending');
  if (input.version === undefined || current.version !== input.version)
    throw new DomainError('stale_version');
  return current;
}

/**
 * Remembers the message that asks for a rejection's reason, in the register, so the reply is
 * recognised after a restart too.
 */
export async function recordRejectPrompt(
  db: Queryable,
  input: { bulletinId: number; version: number; userId: number; name: string; promptMessageId: number },
): Promise<void> {
  await recordAudit(db, {
    actorId: input.userId,
    action: 'reject_requested',
    bulletinId: input.bulletinId,
    version: input.version,
    detail: { name: input.name, promptMessageId: input.promptMessageId },
  });
}

/** The bulletin and version a reason prompt was about, if `messageId` is one. */
export async function findRejectPrompt(
  db: Queryable,
  messageId: number,
): Promise<{ bulletinId: number; version: number } | undefined> {
  const [row] = await db
    .select({ bulletinId: auditLog.bulletinId, version: auditLog.version })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, 'reject_requested'),
        sql`${auditLog.detail}->>'promptMessageId' = ${String(messageId)}`,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!row || row.bulletinId === null || row.version === null) return undefined;
  return { bulletinId: row.bulletinId, version: row.version };
}

/** The name the author had when drafting, as the register kept it; undefined when it did not. */
export async function draftedBy(db: Queryable, bulletinId: number): Promise<string | undefined> {
  const [row] = await db
    .select({ detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.bulletinId, bulletinId), eq(auditLog.action, 'draft')))
    .orderBy(auditLog.id)
    .limit(1);
  const name = (row?.detail as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** An approvatore or above rejects the pending version they saw, with a reason; nothing is sent. */
export async function reject(
  db: Db,
  input: Actor & { bulletinId: number; version: number; reason: string },
): Promise<Bulletin> {
  const reason = input.reason.trim();
  if (reason === '') throw new DomainError('empty_reason');
  if (reason.length > MAX_REASON_LENGTH) throw new DomainError('reason_too_long');
  return db.transaction(async (tx) => {
    await requireRole(tx, input.userId, input.adminIds, 'approvatore');
    const [bulletin] = await tx
      .update(bulletins)
      .set({ state: 'rejected', decidedBy: input.userId, decidedAt: new Date(), rejectReason: reason })
      .where(
        and(
          eq(bulletins.id, input.bulletinId),
          eq(bulletins.state, 'pending'),
          eq(bulletins.version, input.version),
        ),
      )
      .returning();
    if (!bulletin) return whyNot(tx, input.bulletinId, input.version);
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'reject',
      bulletinId: bulletin.id,
      version: input.version,
      detail: { name: input.name, reason },
    });
    return bulletin;
  });
}

/** The author, or an approvatore or above, withdraws a bulletin that has not started. */
export async function withdraw(db: Db, input: Actor & { bulletinId: number }): Promise<Bulletin> {
  return db.transaction(async (tx) => {
    const role = await requireRole(tx, input.userId, input.adminIds, 'redattore');
    const current = await getBulletin(tx, input.bulletinId);
    if (current.authorId !== input.userId && !hasRole(role, 'approvatore'))
      throw new DomainError('forbidden');
    const [bulletin] = await tx
      .update(bulletins)
      .set({ state: 'withdrawn', decidedBy: input.userId, decidedAt: new Date() })
      .where(and(eq(bulletins.id, current.id), inArray(bulletins.state, [...OPEN])))
      .returning();
    if (!bulletin) throw new DomainError('bulletin_closed');
    await recordAudit(tx, {
      actorId: input.userId,
      action: 'withdraw',
      bulletinId: bulletin.id,
      version: bulletin.version,
      detail: { name: input.name, from: current.state },
    });
    return bulletin;
  });
}

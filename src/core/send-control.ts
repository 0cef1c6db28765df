import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bridgeState } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { DomainError } from './errors.js';
import { unconfirmedNumber } from './link.js';
import { type CloudPauseSignal, postStaffNotice, type StaffNotice } from './notices.js';
import { requireRole } from './staff.js';

/**
 * What paused the queue: a person, or one of WhatsApp's ban signals; `new_number` is the hold on
 * a linked number no amministratore has confirmed yet (see core/link.ts), which /riprendi cannot lift.
 */
export type PauseSignal =
  | 'staff'
  | 'error_463'
  | 'reachout_timelock'
  | 'message_capping'
  | 'logged_out'
  | 'new_number'
  | CloudPauseSignal;

export type QueuePause = {
  pausedAt: Date;
  reason: string;
  signal: PauseSignal;
  /** When the signal's lock ends by itself (a time lock); sending resumes then. */
  until: Date | null;
};

/**
 * Pauses the whole delivery queue: nothing is sent and nothing is lost until it is resumed.
 * An earlier pause keeps its start; the latest reason and end time win.
 */
export async function pauseQueue(
  db: Queryable,
  input: { reason: string; signal: PauseSignal; until?: Date | null },
): Promise<void> {
  await db
    .update(bridgeState)
    .set({
      pausedAt: sql`coalesce(${bridgeState.pausedAt}, now())`,
      pauseReason: input.reason,
      pauseSignal: input.signal,
      pausedUntil: input.until ?? null,
      updatedAt: sql`now()`,
    })
    .where(eq(bridgeState.id, 1));
}

/** Resumes the queue; returns false when it was not paused. */
export async function resumeQueue(db: Queryable): Promise<boolean> {
  const rows = await db
    .update(bridgeState)
    .set({ pausedAt: null, pauseReason: null, pauseSignal: null, pausedUntil: null, updatedAt: sql`now()` })
    .where(sql`${bridgeState.id} = 1 and ${bridgeState.pausedAt} is not null`)
    .returning({ id: bridgeState.id });
  return rows.length === 1;
}

/**
 * An approvatore or above resumes the queue (`/riprendi`): the role is checked in the transaction
 * that resumes and records it. Returns false when it was not paused.
 */
export async function resumeSending(
  db: Db,
  actor: { actorId: number; adminIds: readonly number[] },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await requireRole(tx, actor.actorId, actor.adminIds, 'approvatore');
    // A new number's hold is lifted by an amministratore's confirmation, not by /riprendi.
    if (await unconfirmedNumber(tx)) throw new DomainError('number_unconfirmed');
    if (!(await resumeQueue(tx))) return false;
    await recordAudit(tx, { actorId: actor.actorId, action: 'queue_resume' });
    return true;
  });
}

/**
 * The queue's pause, if any. A pause whose end time has passed (on the database's clock) is lifted
 * here, so a time lock ends by itself.
 */
export async function queuePause(db: Queryable): Promise<QueuePause | undefined> {
  await db
    .update(bridgeState)
    .set({ pausedAt: null, pauseReason: null, pauseSignal: null, pausedUntil: null, updatedAt: sql`now()` })
    .where(sql`${bridgeState.id} = 1 and ${bridgeState.pausedUntil} <= now()`);
  const [row] = await db.select().from(bridgeState).where(eq(bridgeState.id, 1));
  if (!row?.pausedAt) return undefined;
  return {
    pausedAt: row.pausedAt,
    reason: row.pauseReason ?? '',
    signal: (row.pauseSignal ?? 'staff') as PauseSignal,
    until: row.pausedUntil,
  };
}

/**
 * What keeps the sender from sending: a linked number waiting for confirmation first (it outlasts
 * any pause), otherwise the queue's pause.
 */
export async function sendingPause(db: Queryable): Promise<QueuePause | undefined> {
  const [row] = await db
    .select({ number: bridgeState.unconfirmedNumber, since: bridgeState.unconfirmedSince })
    .from(bridgeState)
    .where(eq(bridgeState.id, 1));
  if (row?.number) {
    return { pausedAt: row.since ?? new Date(), reason: 'new_number', signal: 'new_number', until: null };
  }
  return queuePause(db);
}

type NoticeSignal = Extract<StaffNotice, { kind: 'sending_paused' }>['signal'];

/**
 * A platform's stop signal pauses the queue once, however many sends report it at the same time:
 * the control row is locked while the pause is read and written, so one report pauses and tells
 * staff and the others find its pause. A pause someone else made (staff, another signal) stays;
 * staff still hear of this one. Returns whether this call paused and told staff.
 */
export async function pauseOnSignal(
  db: Db,
  input: { signal: NoticeSignal & PauseSignal; detail: Record<string, unknown> },
): Promise<boolean> {
  const { signal } = input;
  return db.transaction(async (tx) => {
    await tx.select({ id: bridgeState.id }).from(bridgeState).where(eq(bridgeState.id, 1)).for('update');
    const current = await queuePause(tx);
    if (current?.signal === signal) return false;
    if (!current) await pauseQueue(tx, { reason: signal, signal, until: null });
    await postStaffNotice(tx, { kind: 'sending_paused', signal, until: null });
    await recordAudit(tx, { actorId: null, action: 'queue_pause', detail: { signal, ...input.detail } });
    return true;
  });
}

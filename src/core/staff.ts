import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { staffMembers } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { DomainError } from './errors.js';
import { SHARED_SENDER_IDS } from './shared-senders.js';

export const STAFF_ROLES = ['redattore', 'approvatore', 'amministratore'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

const rank: Record<StaffRole, number> = { redattore: 1, approvatore: 2, amministratore: 3 };

/** True when `role` is at least `needed` (amministratore > approvatore > redattore). */
export function hasRole(role: StaffRole | null, needed: StaffRole): boolean {
  return role !== null && rank[role] >= rank[needed];
}

/**
 * The role a Telegram user holds now: admins from configuration always, others from the database.
 * The row is share-locked: inside an acting transaction, a demotion in flight waits for the action
 * to commit, and one that committed first is seen.
 */
export async function roleOf(
  db: Queryable,
  telegramId: number,
  adminIds: readonly number[],
): Promise<StaffRole | null> {
  if (SHARED_SENDER_IDS.includes(telegramId)) return null;
  if (adminIds.includes(telegramId)) return 'amministratore';
  const [row] = await db
    .select({ role: staffMembers.role })
    .from(staffMembers)
    .where(eq(staffMembers.telegramId, telegramId))
    .for('share');
  return row?.role ?? null;
}

/** Throws unless the user holds at least `needed`; returns the role held. */
export async function requireRole(
  db: Queryable,
  telegramId: number,
  adminIds: readonly number[],
  needed: StaffRole,
): Promise<StaffRole> {
  if (SHARED_SENDER_IDS.includes(telegramId)) throw new DomainError('shared_sender');
  const role = await roleOf(db, telegramId, adminIds);
  if (role === null) throw new DomainError('not_staff');
  if (!hasRole(role, needed)) throw new DomainError('forbidden');
  return role;
}

/**
 * Only an amministratore sets roles; `null` removes the role. Configured admins cannot be demoted
 * here, and Telegram's shared senders get none. The change and its line in the register are one transaction.
 */
export async function setRole(
  db: Db,
  input: { actorId: number; targetId: number; role: StaffRole | null; adminIds: readonly number[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    if (input.adminIds.includes(input.targetId)) throw new DomainError('configured_admin');
    if (SHARED_SENDER_IDS.includes(input.targetId)) throw new DomainError('shared_sender');
    if (input.role === null) {
      await tx.delete(staffMembers).where(eq(staffMembers.telegramId, input.targetId));
    } else {
      await tx
        .insert(staffMembers)
        .values({ telegramId: input.targetId, role: input.role, grantedBy: input.actorId })
        .onConflictDoUpdate({
          target: staffMembers.telegramId,
          set: { role: input.role, grantedBy: input.actorId, updatedAt: new Date() },
        });
    }
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'role_change',
      detail: { target: input.targetId, role: input.role },
    });
  });
}

/** Everyone holding a role: the configured admins first, then the database's, by role. */
export async function listStaff(
  db: Queryable,
  actorId: number,
  adminIds: readonly number[],
): Promise<{ telegramId: number; role: StaffRole; configured: boolean }[]> {
  await requireRole(db, actorId, adminIds, 'redattore');
  const rows = await db
    .select({ telegramId: staffMembers.telegramId, role: staffMembers.role })
    .from(staffMembers)
    .orderBy(staffMembers.telegramId);
  return [
    ...adminIds.map((telegramId) => ({ telegramId, role: 'amministratore' as const, configured: true })),
    ...rows
      .filter((row) => !adminIds.includes(row.telegramId))
      .sort((a, b) => rank[b.role] - rank[a.role])
      .map((row) => ({ ...row, configured: false })),
  ];
}

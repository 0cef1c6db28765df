import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { activeRoles } from '../db/schema.js';

export type ProcessRole = (typeof activeRoles.$inferSelect)['role'];
export type ActiveRole = { role: ProcessRole; machine: string; pid: number; since: Date };

/** Records that this process now does the role's work; the previous owner's row is replaced. */
export async function recordActiveRole(
  db: Queryable,
  input: { role: ProcessRole; machine: string; pid: number },
): Promise<void> {
  await db
    .insert(activeRoles)
    .values(input)
    .onConflictDoUpdate({
      target: activeRoles.role,
      set: { machine: input.machine, pid: input.pid, since: sql`now()` },
    });
}

/** Whether a process is recorded as doing the role: a clean stop forgets it, a crash or a cut-off copy does not. */
export async function roleHasOwner(db: Queryable, role: ProcessRole): Promise<boolean> {
  const [row] = await db
    .select({ role: activeRoles.role })
    .from(activeRoles)
    .where(eq(activeRoles.role, role));
  return row !== undefined;
}

/** Forgets the role's owner on a clean stop, only if it is still this process (a successor keeps its row). */
export async function clearActiveRole(
  db: Queryable,
  input: { role: ProcessRole; machine: string; pid: number },
): Promise<void> {
  await db
    .delete(activeRoles)
    .where(
      and(
        eq(activeRoles.role, input.role),
        eq(activeRoles.machine, input.machine),
        eq(activeRoles.pid, input.pid),
      ),
    );
}

/** Which machine is active for each role, and since when (what /stato shows). */
export async function listActiveRoles(db: Queryable): Promise<ActiveRole[]> {
  return db.select().from(activeRoles).orderBy(activeRoles.role);
}

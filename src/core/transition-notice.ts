import { eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import { imports } from '../db/schema.js';
import { type Bulletin, insertDraft } from './bulletins.js';
import { DomainError } from './errors.js';
import { requireRole } from './staff.js';

/** A notice rejected or withdrawn before it went out leaves room for a new one. */
const DROPPED = ['rejected', 'withdrawn'];

/**
 * After an import, a redattore or above drafts the one-time transition notice: a normal bulletin
 * (approval, window, pacing all apply) for the import's list whose audience is narrowed to those
 * who joined by import and were never sent anything. One notice per import at a time: a second
 * press is refused unless the first was rejected or withdrawn, so nobody is told twice by accident.
 */
export async function draftTransitionNotice(
  db: Db,
  input: { actorId: number; adminIds: readonly number[]; actorName?: string; importId: number; text: string },
): Promise<Bulletin> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'redattore');
    const [row] = rowsOf<{ state: string; list_id: number; notice_state: string | null }>(
      await tx.execute(sql`
        SELECT i.state, i.list_id, b.state AS notice_state
        FROM imports i LEFT JOIN bulletins b ON b.id = i.notice_bulletin_id
        WHERE i.id = ${input.importId} FOR UPDATE OF i`),
    );
    if (!row) throw new DomainError('import_not_found');
    if (row.state !== 'imported') throw new DomainError('import_not_done');
    if (row.notice_state !== null && !DROPPED.includes(row.notice_state))
      throw new DomainError('notice_already_drafted');
    const bulletin = await insertDraft(tx, {
      authorId: input.actorId,
      adminIds: input.adminIds,
      text: input.text,
      listId: Number(row.list_id),
      audience: 'imported_unreached',
      ...(input.actorName ? { authorName: input.actorName } : {}),
    });
    await tx.update(imports).set({ noticeBulletinId: bulletin.id }).where(eq(imports.id, input.importId));
    return bulletin;
  });
}

import { eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import { imports } from '../db/schema.js';
import { type Bulletin, insertDraft } from './bulletins.js';
import { DomainError } from './errors.js';
import { requireRole } from './staff.js';

/**
 * After an import, a redattore or above drafts the one-time transition notice: a normal bulletin
 * (approval, window, pacing all apply) for the import's list whose audience is narrowed to those
 * who joined by import and were never sent anything. One notice per import: a second press
 * is refused, so the imported people cannot be told twice by accident.
 */
export async function draftTransitionNotice(
  db: Db,
  input: { actorId: number; adminIds: readonly number[]; actorName?: string; importId: number; text: string },
): Promise<Bulletin> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'redattore');
    const [row] = rowsOf<{ state: string; list_id: number; notice_bulletin_id: number | null }>(
      await tx.execute(sql`
        SELECT state, list_id, notice_bulletin_id FROM imports WHERE id = ${input.importId} FOR UPDATE`),
    );
    if (!row) throw new DomainError('import_not_found');
    if (row.state !== 'imported') throw new DomainError('import_not_done');
    if (row.notice_bulletin_id !== null) throw new DomainError('notice_already_drafted');
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

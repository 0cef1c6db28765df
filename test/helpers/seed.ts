import { sql } from 'drizzle-orm';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import type { Db } from '../../src/db/client.js';

/** Phone jid of the n-th seeded subscriber. */
export const seededJid = (n: number) => `39${3_000_000_000 + n}@s.whatsapp.net`;

/**
 * `count` subscribers of the default list in two set-based statements (numbers already checked
 * on WhatsApp unless `unchecked`), numbered from `from`.
 */
export async function seedSubscribers(
  db: Db,
  count: number,
  options: { from?: number; unchecked?: boolean } = {},
): Promise<void> {
  const from = options.from ?? 1;
  await db.execute(sql`
    WITH made AS (
      INSERT INTO subscribers (phone_jid, wa_checked_at)
      SELECT '39' || (3000000000 + g) || '@s.whatsapp.net', ${options.unchecked ? null : sql`now()`}
      FROM generate_series(${from}::int, ${from + count - 1}::int) g
      RETURNING id
    )
    INSERT INTO subscriptions (subscriber_id, list_id)
    SELECT made.id, l.id FROM made, lists l WHERE l.is_default`);
}

/** Drafts a bulletin as admin 1 and approves it as admin 2; returns its id and the rows queued. */
export async function approvedBulletin(
  db: Db,
  text: string,
  options: { urgent?: boolean; mediaId?: number } = {},
): Promise<{ id: number; queued: number }> {
  const admins = [1, 2];
  const draft = await createDraft(db, { authorId: 1, text, adminIds: admins });
  if (options.urgent || options.mediaId !== undefined) {
    await db.execute(sql`
      UPDATE bulletins SET urgent = ${options.urgent ?? false}, media_id = ${options.mediaId ?? null}
      WHERE id = ${draft.id}`);
  }
  const { queued } = await approve(db, {
    bulletinId: draft.id,
    version: 1,
    userId: 2,
    name: 'Approvatore',
    adminIds: admins,
  });
  return { id: draft.id, queued };
}

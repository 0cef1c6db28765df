import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins, publications } from '../db/schema.js';
import { MAX_DETAIL, type OutletName } from './outlets.js';

// Ritira on the broadcast outlets: a posted publication of a bulletin staff asked to withdraw is
// deleted by its outlet, then recorded revoked or revoke_failed (the states: see publications.ts).

export type PostToRevoke = { id: number; bulletinId: number; outlet: OutletName; externalId: string | null };

/** Ritira: posts of these outlets, of bulletins staff asked to withdraw, not yet deleted. */
export async function postsToRevoke(db: Queryable, outlets: readonly OutletName[]): Promise<PostToRevoke[]> {
  if (outlets.length === 0) return [];
  return db
    .select({
      id: publications.id,
      bulletinId: publications.bulletinId,
      outlet: publications.outlet,
      externalId: publications.externalId,
    })
    .from(publications)
    .innerJoin(bulletins, eq(bulletins.id, publications.bulletinId))
    .where(
      and(
        inArray(publications.outlet, [...outlets]),
        eq(publications.state, 'posted'),
        isNotNull(bulletins.revokeRequestedAt),
        isNull(bulletins.revokeDoneAt),
      ),
    )
    .orderBy(asc(publications.id));
}

/** Records a withdrawal: revoked, or revoke_failed with why (the outlet cannot, or refused). */
export async function recordRevoke(
  db: Queryable,
  post: PostToRevoke,
  outcome: { revoked: true } | { revoked: false; detail: string },
): Promise<void> {
  await db
    .update(publications)
    .set(
      outcome.revoked
        ? { state: 'revoked', revokedAt: sql`now()`, updatedAt: sql`now()` }
        : { state: 'revoke_failed', lastError: outcome.detail.slice(0, MAX_DETAIL), updatedAt: sql`now()` },
    )
    .where(and(eq(publications.id, post.id), eq(publications.state, 'posted')));
}

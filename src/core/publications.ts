import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { type Queryable, rowsOf } from '../db/client.js';
import { bulletinOutlets, bulletins, outletHealth, publications } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { inOutletOrder } from './bulletin-outlets.js';
import { isTrue, servedNow } from './outlet-health.js';
import { MAX_DETAIL, type OutletFailure, type OutletName } from './outlets.js';

/**
 * A broadcast outlet's post of a bulletin is a `publications` row:
 * pending -> posting (claimed under a lease, attempt + 1) -> posted | pending again (a retryable
 * failure, after a backoff) | failed; pending -> cancelled (Ferma); posted -> revoked |
 * revoke_failed (Ritira). A row still posting after its lease belonged to an engine that died
 * between the post and its record: the next claim says so (`recovered`).
 */
export type PublicationState = (typeof publications.$inferSelect)['state'];

/** Queues one publication per broadcast outlet the bulletin targets, in the caller's transaction. */
export async function queuePublications(tx: Queryable, bulletinId: number): Promise<OutletName[]> {
  const targets = await tx
    .select({ outlet: bulletinOutlets.outlet })
    .from(bulletinOutlets)
    .where(and(eq(bulletinOutlets.bulletinId, bulletinId), ne(bulletinOutlets.outlet, 'whatsapp')));
  if (targets.length === 0) return [];
  await tx
    .insert(publications)
    .values(targets.map(({ outlet }) => ({ bulletinId, outlet })))
    .onConflictDoNothing();
  return inOutletOrder(targets.map((target) => target.outlet));
}

export type ClaimedPublication = {
  id: number;
  bulletinId: number;
  outlet: OutletName;
  attempts: number;
  /** It was left in `posting` by an engine that stopped before recording the result. */
  recovered: boolean;
};

/**
 * Claims due publications of these outlets (pending and due, or posting under an expired lease)
 * of bulletins that are sending and not paused: they become posting under a lease, attempt + 1.
 * SKIP LOCKED keeps two engines off the same rows.
 */
export async function claimPublications(
  db: Queryable,
  input: { outlets: readonly OutletName[]; limit: number; leaseSeconds: number },
): Promise<ClaimedPublication[]> {
  if (input.outlets.length === 0) return [];
  const rows = rowsOf<{
    id: number;
    bulletin_id: number;
    outlet: OutletName;
    attempts: number;
    recovered: boolean;
  }>(
    await db.execute(sql`
      WITH due AS (
        SELECT p.id, p.state = 'posting' AS recovered FROM publications p
        JOIN bulletins b ON b.id = p.bulletin_id
        WHERE p.outlet::text = ANY(${`{${input.outlets.join(',')}}`}::text[])
          AND ((p.state = 'pending' AND p.next_attempt_at <= now())
            OR (p.state = 'posting' AND p.lease_until < now()))
          AND b.state = 'sending' AND b.paused_at IS NULL
        ORDER BY b.urgent DESC, p.id
        LIMIT ${input.limit}
        FOR UPDATE OF p SKIP LOCKED
      )
      UPDATE publications p
      SET state = 'posting', attempts = p.attempts + 1, updated_at = now(),
          lease_until = now() + make_interval(secs => ${input.leaseSeconds})
      FROM due WHERE p.id = due.id
      RETURNING p.id, p.bulletin_id, p.outlet, p.attempts, due.recovered`),
  );
  return rows.map((row) => ({
    id: Number(row.id),
    bulletinId: Number(row.bulletin_id),
    outlet: row.outlet,
    attempts: Number(row.attempts),
    recovered: row.recovered === true || String(row.recovered) === 't',
  }));
}

/** The claim still holds: the row is posting under the attempt that claimed it. */
const stillMine = (claim: ClaimedPublication) =>
  and(
    eq(publications.id, claim.id),
    eq(publications.state, 'posting'),
    eq(publications.attempts, claim.attempts),
  );

/** Records a post; false when the claim was lost (another engine took the row over). */
export async function recordPosted(
  db: Queryable,
  claim: ClaimedPublication,
  result: { externalId: string; note?: string | undefined },
): Promise<boolean> {
  const rows = await db
    .update(publications)
    .set({
      state: 'posted',
      externalId: result.externalId,
      note: result.note?.slice(0, MAX_DETAIL) ?? null,
      postedAt: sql`now()`,
      leaseUntil: null,
      failure: null,
      lastError: null,
      updatedAt: sql`now()`,
    })
    .where(stillMine(claim))
    .returning({ id: publications.id });
  if (rows.length === 0) return false;
  await recordAudit(db, {
    actorId: null,
    action: 'publication',
    bulletinId: claim.bulletinId,
    detail: { outlet: claim.outlet, state: 'posted', attempts: claim.attempts },
  });
  return true;
}

/**
 * Records a failed attempt: a retryable failure before the last attempt makes the row due again
 * after an exponential backoff (`baseMs`, doubled each time, at most ten minutes); otherwise it
 * fails for good. Returns what became of it.
 */
export async function recordPublishFailure(
  db: Queryable,
  claim: ClaimedPublication,
  input: { failure: OutletFailure; detail: string; retryable: boolean; maxAttempts: number; baseMs: number },
): Promise<'retry' | 'failed' | 'lost'> {
  const retry = input.retryable && claim.attempts < input.maxAttempts;
  const backoffMs = Math.min(600_000, input.baseMs * 2 ** (claim.attempts - 1));
  const rows = await db
    .update(publications)
    .set({
      state: retry ? 'pending' : 'failed',
      failure: input.failure,
      lastError: input.detail.slice(0, MAX_DETAIL),
      leaseUntil: null,
      updatedAt: sql`now()`,
      ...(retry ? { nextAttemptAt: sql`now() + make_interval(secs => ${backoffMs / 1000})` } : {}),
    })
    .where(stillMine(claim))
    .returning({ id: publications.id });
  if (rows.length === 0) return 'lost';
  if (!retry)
    await recordAudit(db, {
      actorId: null,
      action: 'publication',
      bulletinId: claim.bulletinId,
      detail: { outlet: claim.outlet, state: 'failed', failure: input.failure, attempts: claim.attempts },
    });
  return retry ? 'retry' : 'failed';
}

/** Ferma: publications not yet claimed never run (one in flight finishes). */
export async function cancelPendingPublications(tx: Queryable, bulletinId: number): Promise<number> {
  const rows = await tx
    .update(publications)
    .set({ state: 'cancelled', updatedAt: sql`now()` })
    .where(and(eq(publications.bulletinId, bulletinId), eq(publications.state, 'pending')))
    .returning({ id: publications.id });
  return rows.length;
}

/** When the earliest publication of these outlets is due (a retry, or a lease running out). */
export async function nextPublicationAt(
  db: Queryable,
  outlets: readonly OutletName[],
): Promise<Date | undefined> {
  if (outlets.length === 0) return undefined;
  const [row] = await db
    .select({
      at: sql<
        string | Date | null
      >`min(case when ${publications.state} = 'posting' then ${publications.leaseUntil} else ${publications.nextAttemptAt} end)`,
    })
    .from(publications)
    .innerJoin(bulletins, eq(bulletins.id, publications.bulletinId))
    .where(
      and(
        inArray(publications.outlet, [...outlets]),
        inArray(publications.state, ['pending', 'posting']),
        eq(bulletins.state, 'sending'),
        isNull(bulletins.pausedAt),
      ),
    );
  return row?.at ? new Date(row.at) : undefined;
}

export type PublicationView = {
  outlet: OutletName;
  state: PublicationState;
  failure: string | null;
  note: string | null;
  attempts: number;
  /** A running engine serves the outlet (its health was recorded lately); else a post waits. */
  served: boolean;
};

/** Where each broadcast outlet of a bulletin stands, in outlet order (the status card's lines). */
export async function bulletinPublications(db: Queryable, bulletinId: number): Promise<PublicationView[]> {
  const rows = await db
    .select({
      outlet: publications.outlet,
      state: publications.state,
      failure: publications.failure,
      note: publications.note,
      attempts: publications.attempts,
      served: servedNow,
    })
    .from(publications)
    .leftJoin(outletHealth, eq(outletHealth.outlet, publications.outlet))
    .where(eq(publications.bulletinId, bulletinId));
  const order = inOutletOrder(rows.map((row) => row.outlet));
  return order.map((outlet) => {
    const row = rows.find((candidate) => candidate.outlet === outlet)!;
    return { ...row, served: isTrue(row.served) };
  });
}

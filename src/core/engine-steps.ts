import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.js';
import { dueBulletin } from './deliveries.js';
import type { EngineLogger } from './engine.js';
import { finishedBulletin } from './outbox.js';
import { type LinkConfig, outgoingBulletin } from './outgoing.js';
import { recordPostOutcome } from './outlet-health.js';
import type { BroadcastOutlet, PublishResult } from './outlets.js';
import { type ClaimedPublication, recordPosted, recordPublishFailure } from './publications.js';
import { withdrawingBulletin } from './revoke.js';

type StepDeps = {
  db: Db;
  log: EngineLogger;
  link: LinkConfig;
  retry: { baseMs: number; maxAttempts: number };
  leaseSeconds: number;
};

/** Which of the engine's steps would find work, in one round trip. */
export type EngineWork = {
  /** An approved bulletin's time has come. */
  due: boolean;
  /** A sending bulletin has nothing left to do on any outlet. */
  finished: boolean;
  /** A withdrawal is under way. */
  withdrawing: boolean;
  sending: boolean;
  /** When the next approved bulletin falls due (now or earlier when it is due already). */
  nextDueAt: Date | undefined;
};

/**
 * Looks once at what a round has to do, so that a round with nothing to do is one query: each
 * step it skips would have been a query, two of them transactions (which PGlite runs one at a
 * time, so the sender's claim of a bulletin just approved would wait behind them).
 */
export async function engineWork(db: Db): Promise<EngineWork> {
  const [row] = rowsOf<Omit<EngineWork, 'nextDueAt'> & { next_due_at: string | Date | null }>(
    await db.execute(sql`
      SELECT EXISTS (SELECT 1 FROM bulletins WHERE ${dueBulletin}) AS due,
        EXISTS (SELECT 1 FROM bulletins b WHERE ${finishedBulletin}) AS finished,
        EXISTS (SELECT 1 FROM bulletins b WHERE ${withdrawingBulletin}) AS withdrawing,
        EXISTS (SELECT 1 FROM bulletins WHERE state = 'sending') AS sending,
        (SELECT min(send_at) FROM bulletins WHERE state = 'approved') AS next_due_at`),
  );
  return {
    due: row?.due === true,
    finished: row?.finished === true,
    withdrawing: row?.withdrawing === true,
    sending: row?.sending === true,
    nextDueAt: row?.next_due_at ? new Date(row.next_due_at) : undefined,
  };
}

/**
 * Runs one claimed publication and records its result in the same row. A row recovered from a
 * crash between a post and its record asks the outlet first whether the post is there (then it is
 * recorded, not posted again); where the outlet cannot tell, it is posted again with a warning.
 * A post that outlasts its lease is left to the lease: the next claim treats it as recovered.
 */
export async function runPublication(
  deps: StepDeps,
  outlet: BroadcastOutlet,
  claim: ClaimedPublication,
): Promise<void> {
  const { db, log } = deps;
  const where = { outlet: claim.outlet, bulletinId: claim.bulletinId, attempts: claim.attempts };
  const bulletin = await outgoingBulletin(db, claim.bulletinId, deps.link);
  if (!bulletin) {
    await recordPublishFailure(db, claim, { ...failNow, detail: 'approved version not found' });
    return;
  }
  if (claim.recovered) {
    if (outlet.findPosted) {
      const found = await outlet.findPosted(bulletin).catch((err: unknown) => {
        log.warn({ err, ...where }, 'could not check whether an interrupted post went out');
        return undefined;
      });
      if (found !== undefined) {
        await recordPosted(db, claim, { externalId: found });
        log.info(where, 'interrupted post found on the outlet: recorded, not posted again');
        return;
      }
    } else {
      log.warn(
        where,
        'a post was interrupted and this outlet cannot tell if it went out: it may appear twice',
      );
    }
  }
  let result: PublishResult | 'timeout';
  try {
    result = await withLease(outlet.publish(bulletin), deps.leaseSeconds * 1000);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    result = { ok: false, failure: 'unknown', retryable: true, detail };
  }
  if (result === 'timeout') {
    log.warn(where, 'post still under way when its lease ran out');
    return;
  }
  if (result.ok) {
    if (await recordPosted(db, claim, result)) log.info(where, 'posted');
    else log.warn(where, 'posted after the claim was taken over');
    await recordPostOutcome(db, claim.outlet, result);
    return;
  }
  const outcome = await recordPublishFailure(db, claim, {
    failure: result.failure,
    detail: result.detail,
    retryable: result.retryable,
    ...deps.retry,
  });
  await recordPostOutcome(db, claim.outlet, result);
  log.warn({ ...where, failure: result.failure, outcome }, 'post failed');
}

const failNow = { failure: 'unknown', retryable: false, maxAttempts: 1, baseMs: 0 } as const;

async function withLease<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

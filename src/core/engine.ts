import type { Db, Listener } from '../db/client.js';
import { startDueBulletins } from './deliveries.js';
import { engineWork, runPublication } from './engine-steps.js';
import { completeFinishedBulletins } from './outbox.js';
import type { LinkConfig } from './outgoing.js';
import { recordOutletHealth } from './outlet-health.js';
import type { BroadcastOutlet } from './outlets.js';
import { postsToRevoke, recordRevoke } from './publication-revokes.js';
import { claimPublications, nextPublicationAt } from './publications.js';
import { completeRevocations } from './revoke.js';

/** The logging the engine needs; pino's logger is one. */
export type EngineLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

export type EngineDeps = {
  db: Db;
  listen: Listener;
  /** The broadcast outlets this process runs (each runs in exactly one role). */
  outlets: readonly BroadcastOutlet[];
  logger: EngineLogger;
  link: LinkConfig;
  /** Safety net under LISTEN/NOTIFY (default 30 s). */
  pollMs?: number;
  /** While a bulletin is sending or being withdrawn: how often to look for its end (default 1 s). */
  tickMs?: number;
  /** Retryable failures: first backoff (doubled each time) and the attempt limit. */
  retry?: { baseMs: number; maxAttempts: number };
  /** How long a claimed post may take before another round presumes its engine dead. */
  leaseSeconds?: number;
  /** How often each outlet's health is checked and recorded for /stato (default 60 s). */
  healthEveryMs?: number;
  /** The first round waits for this: the program's own start-up first (main.ts). */
  after?: Promise<unknown>;
};

export type Engine = { wake(): void; stop(): Promise<void> };

/** Notification channels that mean work: approvals, pauses and withdrawals, queued posts, control. */
const CHANNELS = ['banditore_deliveries', 'banditore_publications', 'banditore_control'] as const;
/**
 * A notification is acted on this much later. An approval's commit wakes the WhatsApp sender too,
 * and its first claim is the path a citizen waits on: the engine's round (the outlets' posts,
 * closing bulletins) is not, and run at once it shared the two cores and the database with that
 * claim. Measured by `npm run bench` on Postgres, interleaved runs of 1,000 approvals: first send
 * p50 2.98 -> 2.53 ms, p99 9.8 -> 7.8 ms.
 */
const NOTIFIED_AFTER_MS = 10;
/** A hung outlet call gives up here; its row's lease decides what happens next. */
const HEALTH_TIMEOUT_MS = 10_000;

/**
 * Core's one engine loop, run by each role with the broadcast outlets it owns: starts bulletins
 * whose time has come (whether or not WhatsApp is linked), runs its outlets' publications and
 * withdrawals, closes bulletins every outlet is done with and finished withdrawals. The lifecycle
 * steps are conditional updates, safe when several engines run them. Woken by NOTIFY; otherwise
 * every `tickMs` while something is under way, else at the next due time or the slow poll.
 */
export async function startEngine(deps: EngineDeps): Promise<Engine> {
  const { db, logger: log } = deps;
  const names = deps.outlets.map((outlet) => outlet.name);
  const byName = new Map<string, BroadcastOutlet>(deps.outlets.map((outlet) => [outlet.name, outlet]));
  const pollMs = deps.pollMs ?? 30_000;
  const tickMs = deps.tickMs ?? 1_000;
  const retry = deps.retry ?? { baseMs: 5_000, maxAttempts: 6 };
  const leaseSeconds = deps.leaseSeconds ?? 120;
  const healthEveryMs = deps.healthEveryMs ?? 60_000;
  let stopped = false;
  let healthAt = Number.NEGATIVE_INFINITY;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  let notified: NodeJS.Timeout | undefined;
  const onNotify = () => {
    notified ??= setTimeout(() => {
      notified = undefined;
      wake();
    }, NOTIFIED_AFTER_MS);
  };
  const unlisten = await Promise.all(CHANNELS.map((channel) => deps.listen(channel, onNotify)));

  async function checkHealth(): Promise<void> {
    healthAt = Date.now();
    for (const outlet of deps.outlets) {
      const health = await withTimeout(outlet.health(), HEALTH_TIMEOUT_MS).catch((err: unknown) => ({
        ok: false,
        detail: err instanceof Error ? err.message : String(err),
      }));
      await recordOutletHealth(db, outlet.name, health);
    }
  }

  async function revokePosts(): Promise<void> {
    for (const post of await postsToRevoke(db, names)) {
      const outlet = byName.get(post.outlet);
      if (!outlet) continue;
      if (!outlet.capabilities.revoke || !outlet.revoke || post.externalId === null) {
        await recordRevoke(db, post, { revoked: false, detail: 'this outlet cannot delete a post' });
        continue;
      }
      const revoked = await outlet.revoke(post.externalId).catch((err: unknown) => {
        log.warn({ err, outlet: post.outlet, bulletinId: post.bulletinId }, 'withdrawal failed');
        return false;
      });
      await recordRevoke(db, post, revoked ? { revoked: true } : { revoked: false, detail: 'refused' });
      log.info({ outlet: post.outlet, bulletinId: post.bulletinId, revoked }, 'post withdrawn');
    }
  }

  /** One round; returns how long to sleep. */
  async function round(): Promise<number> {
    const work = await engineWork(db);
    if (work.due) await startDueBulletins(db);
    // Posts are claimed, and fall due, only for a bulletin that is sending; withdrawn only while a
    // withdrawal is under way. An idle round is the one look above.
    const posting = work.due || work.sending;
    const claimed = posting ? await claimPublications(db, { outlets: names, limit: 20, leaseSeconds }) : [];
    // Outlets post side by side: a slow one does not hold the others back.
    await Promise.all(
      claimed.map((claim) =>
        runPublication({ db, log, link: deps.link, retry, leaseSeconds }, byName.get(claim.outlet)!, claim),
      ),
    );
    if (work.withdrawing) await revokePosts();
    if (work.finished) {
      for (const report of await completeFinishedBulletins(db))
        log.info({ bulletinId: report.bulletinId }, 'bulletin done on every outlet');
    }
    if (work.withdrawing) await completeRevocations(db);
    if (Date.now() - healthAt >= healthEveryMs) await checkHealth();
    // A bulletin just started may have nothing to do at all: the next look closes it.
    if (claimed.length > 0 || work.due) return 0;
    if (work.sending || work.withdrawing) return tickMs;
    const next = [work.nextDueAt, posting ? await nextPublicationAt(db, names) : undefined]
      .filter((at): at is Date => at !== undefined)
      .map((at) => at.getTime() - Date.now() + 20);
    return Math.max(20, Math.min(pollMs, healthEveryMs, ...next));
  }

  let giveUpWaiting: () => void = () => {};
  const stopping = new Promise<void>((resolve) => {
    giveUpWaiting = resolve;
  });
  const loop = (async () => {
    await Promise.race([deps.after, stopping]);
    while (!stopped) {
      let ms = pollMs;
      woken = false;
      try {
        ms = await round();
      } catch (err) {
        log.error({ err }, 'engine round failed; trying again shortly');
        ms = 2_000;
      }
      if (stopped) break;
      if (woken || ms <= 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    }
  })();

  return {
    wake,
    async stop() {
      stopped = true;
      clearTimeout(notified);
      giveUpWaiting();
      wakeUp?.();
      await loop;
      for (const off of unlisten) await off();
    },
  };
}

/** Resolves as `promise` does, or rejects after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

import { setTimeout as sleep } from 'node:timers/promises';
import { claimDeliveries, markSent, nextWorkAt } from '../core/outbox.js';
import type { Pacing } from '../core/pacing.js';
import { replyOutbox } from '../core/replies.js';
import { type QueuePause, sendingPause } from '../core/send-control.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createWakeable } from '../util/wakeable.js';
import { revokePending, sendOwedReplies } from './citizen-sends.js';
import { sendDelivery } from './delivery-send.js';
import type { Outbound } from './outbound.js';
import { createPacer, type Pacer, unpaced } from './pacer.js';
import type { BridgeSocket } from './socket.js';

export type SenderDeps = {
  database: Pick<Database, 'db' | 'listen'>;
  logger: Logger;
  socket(): BridgeSocket | undefined;
  outbound: Outbound;
  /** The configured limits, or 'off' for benchmarks and tests against a stand-in socket. */
  pacing: Pacing | 'off';
  maxAttempts: number;
  /** Most deliveries claimed at once (only reached with pacing off). */
  batchSize?: number;
  leaseSeconds?: number;
  /** A failed send's first backoff (core's markFailed); tests against a stand-in shorten it. */
  retrySeconds?: number;
  /** Safety net under LISTEN/NOTIFY while something waits (a lease, a retry, a scheduled bulletin). */
  pollMs?: number;
  /** Safety net with nothing waiting at all: an idle process sleeps. */
  idlePollMs?: number;
};

export type Sender = {
  /** The socket is open and has replayed what arrived while offline: sending may start. */
  setReady(ready: boolean): void;
  /** Work was queued in this process (a reply to a citizen): look for it now. */
  wake(): void;
  stats(): { sent: number; lastSentAt: Date | undefined; ready: boolean };
  stop(): Promise<void>;
};

/** Most deliveries in the first claim after nothing was claimable. */
const FIRST_BATCH = 10;
/** How often the pause is re-read unasked. */
const PAUSE_CHECK_MS = 5_000;

/**
 * Drains the delivery queue, after the replies owed to citizens: claims batches under a lease, sends each delivery under its own
 * derived message id at the configured pace, marks them sent after the socket took them. Woken by
 * LISTEN/NOTIFY when work arrives; otherwise it sleeps until the next lease expiry or retry, with
 * a slow poll as a safety net. A bulletin's life (starting when due, completing, closing a
 * withdrawal) is core's engine's (core/engine.ts), which runs whether or not WhatsApp is linked.
 */
export async function startSender(deps: SenderDeps): Promise<Sender> {
  const { db } = deps.database;
  const log = deps.logger;
  const wakeable = createWakeable();
  const halt = new AbortController();
  const pacer: Pacer = deps.pacing === 'off' ? unpaced : createPacer(db, deps.pacing);
  const batchSize = deps.batchSize ?? 500;
  const pollMs = deps.pollMs ?? 30_000;
  // A caller that tunes the poll (a test) keeps it when idle too.
  const idlePollMs = deps.idlePollMs ?? (deps.pollMs === undefined ? 600_000 : pollMs);
  let ready = false;
  let stopped = false;
  let sent = 0;
  let lastSentAt: Date | undefined;
  // What a round must look at besides claiming: each is re-read when its channel notifies, and
  // now and then unasked, so the way from an approval's commit to its first send is one claim.
  let pause: QueuePause | undefined;
  let pauseReadAt = Number.NEGATIVE_INFINITY;
  // Set by their channel (or by a lost listen connection, which calls every handler) and cleared
  // before the look, so a notification that arrives during the look is not lost.
  let mayReply = true;
  let mayRevoke = true;
  let lookedAt = Date.now();
  let quiet = true;
  // The mark of the batch just sent, under way while the next batch is claimed and sent (Postgres
  // runs the two statements side by side); at most one at a time. It never rejects.
  let marking: Promise<void> = Promise.resolve();
  const replyQueue = replyOutbox(db);
  const deliverySend = {
    db,
    outbound: deps.outbound,
    maxAttempts: deps.maxAttempts,
    retrySeconds: deps.retrySeconds,
    log,
  };
  const lookAgain = () => {
    mayReply = true;
    mayRevoke = true;
    lookedAt = Date.now();
  };
  const unlisten = [
    await deps.database.listen('banditore_deliveries', () => wakeable.wake()),
    await deps.database.listen('banditore_revocations', () => {
      mayRevoke = true;
      wakeable.wake();
    }),
    await deps.database.listen('banditore_control', () => {
      pauseReadAt = Number.NEGATIVE_INFINITY;
      wakeable.wake();
    }),
    // A reply another process queued (a second bridge taking over, for one).
    await deps.database.listen('banditore_replies', () => {
      mayReply = true;
      wakeable.wake();
    }),
  ];

  async function currentPause(): Promise<QueuePause | undefined> {
    const now = Date.now();
    const lapsed = pause?.until && pause.until.getTime() <= now;
    if (lapsed || now - pauseReadAt >= PAUSE_CHECK_MS) {
      pause = await sendingPause(db);
      pauseReadAt = now;
    }
    return pause;
  }

  /** One round; returns how long to sleep, and whether new work may cut the sleep short. */
  async function step(): Promise<{ ms: number; wakeable: boolean }> {
    const socket = deps.socket();
    if (!ready || !socket) return { ms: idlePollMs, wakeable: true };
    const pause = await currentPause();
    if (pause) {
      const ms = pause.until ? Math.min(pollMs, Math.max(100, pause.until.getTime() - Date.now())) : pollMs;
      return { ms, wakeable: true };
    }
    // The safety net under the notifications, as the slow poll is under the wake-ups.
    if (Date.now() - lookedAt >= pollMs) lookAgain();
    // The caps count sends in the database: a paced sender counts the last one first.
    if (deps.pacing !== 'off') await marking;
    const allowance = await pacer.allowance();
    if (allowance.count <= 0) return { ms: allowance.waitMs, wakeable: false };
    const limit = Math.min(allowance.count, batchSize);
    // Citizens' replies come first: the reply budget keeps them few, and they are expected now.
    if (mayReply) {
      mayReply = false;
      const replies = await sendOwedReplies(socket, replyQueue, limit, { isStopped: () => stopped, log });
      if (replies.tried > 0) {
        mayReply = true;
        pacer.took(replies.tried);
        return replies.failed ? { ms: 2_000, wakeable: false } : { ms: 0, wakeable: false };
      }
    }
    // Withdrawing a wrong bulletin comes before sending more.
    if (mayRevoke) {
      mayRevoke = false;
      const revoked = await revokePending(db, socket, limit);
      if (revoked > 0) {
        mayRevoke = true;
        pacer.took(revoked);
        return { ms: 0, wakeable: false };
      }
    }
    // After a quiet spell the first batch is small: its first message goes out sooner (a claim
    // costs by the row), and the full batches follow at once.
    const claiming = claimDeliveries(db, {
      limit: quiet ? Math.min(limit, FIRST_BATCH) : limit,
      leaseSeconds: deps.leaseSeconds ?? 30,
    });
    // Waking from idle, the text of what is now sending is read beside the claim (on Postgres, on
    // a second connection), so the first message does not wait for it after the claim.
    if (quiet) deps.outbound.prepareSending();
    const claim = await claiming;
    quiet = claim.deliveries.length === 0;
    if (quiet) {
      await marking;
      const next = await nextWorkAt(db);
      const ms = next ? Math.min(pollMs, Math.max(50, next.getTime() - Date.now() + 50)) : idlePollMs;
      return { ms, wakeable: true };
    }
    const done: number[] = [];
    for (const delivery of claim.deliveries) {
      if (stopped) break;
      if (await sendDelivery(deliverySend, socket, delivery, claim.leaseToken)) done.push(delivery.id);
    }
    pacer.took(claim.deliveries.length);
    await marking;
    marking = markSent(db, { leaseToken: claim.leaseToken, ids: done }).then(
      (marked) => {
        if (marked < done.length)
          log.warn({ lost: done.length - marked }, 'deliveries sent after their lease was lost');
        sent += done.length;
        if (done.length > 0) lastSentAt = new Date();
      },
      // Left under their lease: sent again under the same ids once it runs out.
      (err: unknown) => log.error({ err, count: done.length }, 'sent deliveries not marked'),
    );
    return { ms: 0, wakeable: false };
  }

  const loop = (async () => {
    while (!stopped) {
      let next = { ms: pollMs, wakeable: true };
      try {
        next = await step();
      } catch (err) {
        log.error({ err }, 'sender round failed; trying again shortly');
        lookAgain();
        next = { ms: 2_000, wakeable: true };
      }
      if (stopped) break;
      if (next.ms <= 0) continue;
      // Pacing waits are not cut short by new work; idle waits are.
      if (next.wakeable) await wakeable.sleep(next.ms);
      else await sleep(next.ms, undefined, { signal: halt.signal }).catch(() => {});
    }
  })();

  return {
    setReady(value) {
      ready = value;
      if (value) {
        lookAgain();
        wakeable.wake();
      }
    },
    wake: () => {
      mayReply = true;
      wakeable.wake();
    },
    stats: () => ({ sent, lastSentAt, ready }),
    async stop() {
      stopped = true;
      halt.abort();
      wakeable.wake();
      await loop;
      await marking;
      for (const off of unlisten) await off();
    },
  };
}

import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { messagingTier } from '../core/cloud-account.js';
import {
  cancelCloudCall,
  cloudRecipientsLastDay,
  cloudSendFacts,
  markCloudInFlight,
  recordCloudWamid,
  releaseDelivery,
} from '../core/cloud-sends.js';
import { type ClaimedDelivery, claimDeliveries, markFailed, markSent, nextWorkAt } from '../core/outbox.js';
import { replyOutbox } from '../core/replies.js';
import { type QueuePause, sendingPause } from '../core/send-control.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createWakeable } from '../util/wakeable.js';
import { PAUSING, pauseForCloudError } from './alerts.js';
import { type Bucket, createBucket } from './bucket.js';
import { type DeliveryFailure, settleFailedSend } from './failed-send.js';
import type { CloudErrorKind, GraphApi } from './graph-api.js';
import { recipientOf } from './messages.js';
import type { Outgoing } from './outgoing.js';
import { settleReclaimed } from './reclaimed.js';
import { sendOwedCloudReplies } from './replies.js';
import { createThroughputCall } from './throughput-call.js';

export type CloudSenderDeps = {
  database: Pick<Database, 'db' | 'listen'>;
  logger: Logger;
  api: GraphApi;
  outgoing: Outgoing;
  ratePerSecond: number;
  dailyLimit: number;
  reconcileMs: number;
  maxAttempts: number;
  pollMs?: number;
};

export type CloudSender = {
  wake(): void;
  stats(): { sent: number; lastSentAt: Date | undefined; rate: number };
  stop(): Promise<void>;
};

/** Calls on the wire at once: enough to keep the rate with the API's latency, few enough to stop fast. */
const CONCURRENCY = 16;
const PAUSE_CHECK_MS = 2_000;

type Outcome = 'sent' | 'released' | 'failed' | 'paused';

/**
 * Drains the delivery queue through the Cloud API: replies owed to citizens first, then claimed
 * deliveries, up to CONCURRENCY calls at once under one token bucket, never past the messaging
 * limit. Each delivery is recorded in flight before its call and its wamid after; a delivery found
 * in flight from before a crash is marked sent when its wamid or a status webhook is known, waits
 * for the status within WA_CLOUD_RECONCILE_SECONDS of its call, and is sent again after that.
 */
export async function startCloudSender(deps: CloudSenderDeps): Promise<CloudSender> {
  const { db } = deps.database;
  const replyQueue = replyOutbox(db);
  const log = deps.logger;
  const wakeable = createWakeable();
  const halt = new AbortController();
  // Each of the CONCURRENCY sends waits for the bucket on this signal, one wait at a time, beside
  // the loop's own sleep: Node warns past 10 listeners. Twice that, so a real leak is still told.
  setMaxListeners(2 * CONCURRENCY, halt.signal);
  const bucket: Bucket = createBucket(deps.ratePerSecond);
  const pollMs = deps.pollMs ?? 30_000;
  const startedAt = Date.now();
  // A crashed process's claim is free again after the reconcile time; a batch takes a third of it.
  const leaseSeconds = Math.min(60, Math.max(2, Math.ceil(deps.reconcileMs / 1000)));
  const batchSize = Math.max(CONCURRENCY, Math.floor((deps.ratePerSecond * leaseSeconds) / 3));
  let stopped = false;
  let sent = 0;
  let lastSentAt: Date | undefined;
  let pause: QueuePause | undefined;
  let pauseReadAt = Number.NEGATIVE_INFINITY;
  let pausedNow = false;
  const unlisten = [
    await deps.database.listen('banditore_deliveries', () => wakeable.wake()),
    // A reply another process queued (two run for a while during a deploy).
    await deps.database.listen('banditore_replies', () => wakeable.wake()),
    await deps.database.listen('banditore_control', () => {
      pauseReadAt = Number.NEGATIVE_INFINITY;
      wakeable.wake();
    }),
  ];

  async function currentPause(): Promise<QueuePause | undefined> {
    if (Date.now() - pauseReadAt >= PAUSE_CHECK_MS) {
      pause = await sendingPause(db);
      pauseReadAt = Date.now();
      pausedNow = pause !== undefined;
    }
    return pause;
  }

  /** Handles an error that is not the recipient's: true when it paused the queue. */
  async function onQueueError(kind: CloudErrorKind, code: number | undefined): Promise<boolean> {
    const signal = PAUSING[kind];
    if (!signal) return false;
    pausedNow = true;
    pauseReadAt = Number.NEGATIVE_INFINITY;
    await pauseForCloudError(db, log, signal, { code });
    return true;
  }

  const call = createThroughputCall({
    api: deps.api,
    bucket,
    signal: halt.signal,
    logger: log,
    stopped: () => stopped,
  });

  async function sendDelivery(
    delivery: ClaimedDelivery,
    leaseToken: string,
    inWindow: boolean,
  ): Promise<Outcome> {
    const fail = (reason: string, failure?: DeliveryFailure) =>
      markFailed(db, { ...delivery, leaseToken, reason, failure, maxAttempts: deps.maxAttempts });
    if (!delivery.phoneJid) {
      await fail(
        'known only by a LID: not reachable through the Cloud API until they write again',
        'no_phone_number',
      );
      return 'failed';
    }
    const message = await deps.outgoing.bodyFor(delivery, recipientOf(delivery.phoneJid), inWindow);
    if (!message) {
      await fail('outside the 24-hour window and no WA_CLOUD_TEMPLATE set', 'outside_window');
      return 'failed';
    }
    const took = await bucket.take(halt.signal).then(
      () => true,
      () => false,
    );
    const release = async (): Promise<'released'> => {
      await releaseDelivery(db, { id: delivery.id, leaseToken, delayMs: 0 });
      return 'released';
    };
    if (!took || pausedNow || stopped) return release();
    await markCloudInFlight(db, { deliveryId: delivery.id, template: message.template });
    // Another send may have paused the queue while this one was being marked (on a busy embedded
    // database that takes a while): once paused, nothing more goes out.
    if (pausedNow || stopped) {
      await cancelCloudCall(db, { deliveryId: delivery.id });
      return release();
    }
    const result = await call(message.body, true);
    if ('wamid' in result) {
      await recordCloudWamid(db, { deliveryId: delivery.id, wamid: result.wamid });
      return 'sent';
    }
    return settleFailedSend(db, {
      delivery,
      leaseToken,
      err: result.err,
      template: message.template,
      hasTemplate: deps.outgoing.hasTemplate,
      logger: log,
      onQueueError,
      fail,
    });
  }

  async function step(): Promise<{ ms: number; wakeable: boolean }> {
    if (await currentPause()) return { ms: Math.min(pollMs, PAUSE_CHECK_MS * 5), wakeable: true };
    const replied = await sendOwedCloudReplies(
      { replies: replyQueue, call, halted: () => stopped || pausedNow, onQueueError, log },
      CONCURRENCY,
    );
    if (replied > 0) return { ms: 0, wakeable: false };
    const dailyLimit = Math.min(
      deps.dailyLimit,
      (await messagingTier(db))?.limit ?? Number.POSITIVE_INFINITY,
    );
    const room = dailyLimit - (await cloudRecipientsLastDay(db));
    if (room <= 0) {
      log.warn({ dailyLimit }, 'messaging limit reached: waiting');
      return { ms: Math.min(pollMs, 60_000), wakeable: false };
    }
    const claim = await claimDeliveries(db, {
      limit: Math.min(batchSize, room),
      leaseSeconds,
    });
    if (claim.deliveries.length === 0) {
      const next = await nextWorkAt(db);
      const ms = next ? Math.min(pollMs, Math.max(50, next.getTime() - Date.now() + 50)) : pollMs;
      return { ms, wakeable: true };
    }
    const facts = await cloudSendFacts(
      db,
      claim.deliveries.map((d) => d.id),
    );
    const done: number[] = [];
    const queue = [...claim.deliveries];
    const worker = async () => {
      for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
        try {
          const settled = await settleReclaimed(db, {
            delivery,
            leaseToken: claim.leaseToken,
            facts,
            reconcileMs: deps.reconcileMs,
            startedAt,
          });
          if (settled === 'released') continue;
          const outcome =
            settled === 'sent'
              ? 'sent'
              : await sendDelivery(delivery, claim.leaseToken, facts.get(delivery.id)?.inWindow ?? false);
          if (outcome === 'sent') done.push(delivery.id);
        } catch (err) {
          // The lease runs out and the delivery is claimed again: nothing is lost.
          log.error({ err, deliveryId: delivery.id }, 'delivery not handled');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    const marked = await markSent(db, { leaseToken: claim.leaseToken, ids: done });
    if (marked < done.length)
      log.warn({ lost: done.length - marked }, 'deliveries sent after their lease was lost');
    sent += done.length;
    if (done.length > 0) lastSentAt = new Date();
    return { ms: 0, wakeable: false };
  }

  const loop = (async () => {
    while (!stopped) {
      let next = { ms: pollMs, wakeable: true };
      try {
        next = await step();
      } catch (err) {
        if (!stopped) log.error({ err }, 'cloud sender round failed; trying again shortly');
        next = { ms: 2_000, wakeable: true };
      }
      if (stopped) break;
      if (next.ms <= 0) continue;
      if (next.wakeable) await wakeable.sleep(next.ms);
      else await sleep(next.ms, undefined, { signal: halt.signal }).catch(() => {});
    }
  })();

  return {
    wake: () => wakeable.wake(),
    stats: () => ({ sent, lastSentAt, rate: bucket.rate() }),
    async stop() {
      stopped = true;
      halt.abort();
      wakeable.wake();
      await loop;
      for (const off of unlisten) await off();
    },
  };
}

import { setTimeout } from 'node:timers/promises';
import { claimDeliveries, completeFinishedBulletins, markFailed, markSent } from '../core/deliveries.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createWakeable } from '../util/wakeable.js';
import type { BridgeSocket } from './socket.js';

export type SenderDeps = {
  database: Pick<Database, 'db' | 'listen'>;
  logger: Logger;
  ratePerMinute: number;
  socket(): BridgeSocket | undefined;
  maxAttempts?: number;
  /** Safety net under LISTEN/NOTIFY. */
  pollMs?: number;
  leaseSeconds?: number;
};

export type Sender = {
  /** The socket is open and has replayed what arrived while offline: sending may start. */
  setReady(ready: boolean): void;
  stats(): { sent: number; lastSentAt: Date | undefined; ready: boolean };
  stop(): Promise<void>;
};

/** Drains the delivery queue one message at a time at `ratePerMinute`, each under its own message id. */
export async function startSender(deps: SenderDeps): Promise<Sender> {
  const { db } = deps.database;
  const intervalMs = 60_000 / deps.ratePerMinute;
  const wakeable = createWakeable();
  const halt = new AbortController();
  let ready = false;
  let stopped = false;
  let sent = 0;
  let lastSentAt: Date | undefined;
  const unlisten = await deps.database.listen('banditore_deliveries', () => wakeable.wake());

  async function sendOne(): Promise<'sent' | 'idle'> {
    const socket = deps.socket();
    if (!socket) return 'idle';
    const [delivery] = await claimDeliveries(db, { limit: 1, leaseSeconds: deps.leaseSeconds ?? 60 });
    if (!delivery) {
      await completeFinishedBulletins(db);
      return 'idle';
    }
    const log = deps.logger.child({ deliveryId: delivery.id, bulletinId: delivery.bulletinId });
    try {
      await socket.sendMessage(delivery.jid, { text: delivery.text }, { messageId: delivery.messageId });
      if (!(await markSent(db, delivery))) log.warn('delivery lease lost before it was marked sent');
      sent += 1;
      lastSentAt = new Date();
    } catch (err) {
      const outcome = await markFailed(db, {
        ...delivery,
        reason: err instanceof Error ? err.message : String(err),
        permanent: false,
        maxAttempts: deps.maxAttempts ?? 5,
      });
      log.warn({ err, outcome, attempts: delivery.attempts }, 'delivery not sent');
    }
    await completeFinishedBulletins(db);
    return 'sent';
  }

  const loop = (async () => {
    let nextSendAt = 0;
    while (!stopped) {
      // Pacing is a floor between two sends: new work (a notification) never shortens it.
      const wait = nextSendAt - Date.now();
      if (wait > 0) {
        await setTimeout(wait, undefined, { signal: halt.signal }).catch(() => {});
        continue;
      }
      let outcome: 'sent' | 'idle' = 'idle';
      if (ready) {
        try {
          outcome = await sendOne();
        } catch (err) {
          deps.logger.error({ err }, 'sender could not reach the database; retrying');
        }
      }
      if (outcome === 'sent') nextSendAt = Date.now() + intervalMs;
      else await wakeable.sleep(deps.pollMs ?? 30_000);
    }
  })();

  return {
    setReady(value) {
      ready = value;
      if (value) wakeable.wake();
    },
    stats: () => ({ sent, lastSentAt, ready }),
    async stop() {
      stopped = true;
      halt.abort();
      wakeable.wake();
      await loop;
      await unlisten();
    },
  };
}

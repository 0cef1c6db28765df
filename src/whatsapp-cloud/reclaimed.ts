import type { CloudSendFacts } from '../core/cloud-sends.js';
import { releaseDelivery } from '../core/cloud-sends.js';
import type { ClaimedDelivery } from '../core/outbox.js';
import type { Queryable } from '../db/client.js';

/**
 * A delivery claimed again after a crash: settled ('sent': its wamid or a status is known),
 * waiting for its status ('released' until WA_CLOUD_RECONCILE_SECONDS after its call), or to send
 * ('send': never called, the call failed, or no status came in time).
 */
export async function settleReclaimed(
  db: Queryable,
  input: {
    delivery: ClaimedDelivery;
    leaseToken: string;
    facts: Map<number, CloudSendFacts>;
    reconcileMs: number;
    /** When this sender started (Date.now()). */
    startedAt: number;
  },
): Promise<'send' | 'sent' | 'released'> {
  const { delivery, leaseToken } = input;
  const previous = input.facts.get(delivery.id)?.previous;
  if (!previous || previous.errorCode !== null) return 'send';
  if (previous.wamid !== null || previous.status > 0) return 'sent';
  // Statuses for it could not reach a process that was down: the wait counts from our start.
  const waitMs = input.reconcileMs - Math.min(previous.calledMsAgo, Date.now() - input.startedAt);
  if (waitMs > 0) {
    await releaseDelivery(db, { id: delivery.id, leaseToken, delayMs: waitMs });
    return 'released';
  }
  return 'send';
}

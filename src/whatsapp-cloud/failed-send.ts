import { closeInboundWindow } from '../core/cloud-events.js';
import { recordCloudError, releaseDelivery } from '../core/cloud-sends.js';
import type { ClaimedDelivery, markFailed } from '../core/outbox.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type CloudErrorKind, classifyError, GraphApiError } from './graph-api.js';

export type DeliveryFailure = Parameters<typeof markFailed>[1]['failure'];

/**
 * What becomes of a delivery whose call failed, by the kind of error: the queue paused (it goes
 * back at once), a throughput limit (back in five seconds), Meta's window closed while a template
 * could go (back at once, as a template), or failed with the reason.
 */
export async function settleFailedSend(
  db: Queryable,
  input: {
    delivery: ClaimedDelivery;
    leaseToken: string;
    err: unknown;
    /** The failed call sent the template. */
    template: boolean;
    hasTemplate: boolean;
    logger: Logger;
    /** Handles an error that is not the recipient's: true when it paused the queue. */
    onQueueError(kind: CloudErrorKind, code: number | undefined): Promise<boolean>;
    fail(reason: string, failure?: DeliveryFailure): Promise<unknown>;
  },
): Promise<'paused' | 'released' | 'failed'> {
  const { delivery, leaseToken, err, fail } = input;
  const kind = classifyError(err);
  const code = err instanceof GraphApiError ? err.code : undefined;
  if (err instanceof GraphApiError)
    await recordCloudError(db, { deliveryId: delivery.id, code: code ?? err.httpStatus });
  input.logger.warn({ err, kind, deliveryId: delivery.id }, 'delivery not sent');
  if (await input.onQueueError(kind, code)) {
    await releaseDelivery(db, { id: delivery.id, leaseToken, delayMs: 0 });
    return 'paused';
  }
  if (kind === 'throughput') {
    await releaseDelivery(db, { id: delivery.id, leaseToken, delayMs: 5_000 });
    return 'released';
  }
  if (kind === 'reengagement' && !input.template && input.hasTemplate) {
    // Meta's clock closed the window before ours did: the template goes instead, at once.
    await closeInboundWindow(db, delivery.subscriberId);
    await releaseDelivery(db, { id: delivery.id, leaseToken, delayMs: 0 });
    return 'released';
  }
  const reason = err instanceof Error ? err.message : String(err);
  if (kind === 'undeliverable') await fail(reason, 'undeliverable');
  else if (kind === 'reengagement') await fail(reason, 'outside_window');
  else await fail(reason);
  return 'failed';
}

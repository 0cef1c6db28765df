import {
  type ClaimedDelivery,
  type Failure,
  markFailed,
  markNotOnWhatsapp,
  markWhatsappChecked,
} from '../core/outbox.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Outbound } from './outbound.js';
import type { BridgeSocket } from './socket.js';

const JID = /^\d{5,20}@(s\.whatsapp\.net|lid)$/;

/** A send error that will not go away by retrying. */
function permanentFailure(err: unknown): Failure | undefined {
  const status = (err as { output?: { statusCode?: number } })?.output?.statusCode;
  if (status === 400 || status === 404) return 'invalid_number';
  return undefined;
}

/** Checks a phone number before its first send; false when it is not on WhatsApp. */
async function onWhatsApp(db: Db, socket: BridgeSocket, delivery: ClaimedDelivery): Promise<boolean> {
  if (delivery.waChecked || !delivery.phoneJid) return true;
  const results = await socket.onWhatsApp(delivery.phoneJid);
  if (results === undefined) throw new Error('onWhatsApp gave no answer');
  if (!results.some((result) => result.exists)) return false;
  await markWhatsappChecked(db, delivery.subscriberId);
  return true;
}

export type DeliverySendDeps = {
  db: Db;
  outbound: Outbound;
  maxAttempts: number;
  retrySeconds?: number | undefined;
  log: Logger;
};

/**
 * Sends one claimed delivery under its own message id; true when the socket took it. A number
 * that is malformed or not on WhatsApp fails for good; any other error is core's markFailed's to
 * retry or give up on. The caller marks the sent ones.
 */
export async function sendDelivery(
  deps: DeliverySendDeps,
  socket: BridgeSocket,
  delivery: ClaimedDelivery,
  leaseToken: string,
): Promise<boolean> {
  const { db } = deps;
  const jid = delivery.phoneJid ?? delivery.lid;
  const fail = (reason: string, failure?: Failure) =>
    markFailed(db, {
      ...delivery,
      leaseToken,
      reason,
      failure,
      maxAttempts: deps.maxAttempts,
      retrySeconds: deps.retrySeconds,
    });
  try {
    if (!jid || !JID.test(jid)) {
      await fail('no valid WhatsApp address', 'invalid_number');
      return false;
    }
    if (!(await onWhatsApp(db, socket, delivery))) {
      await fail('not on WhatsApp', 'not_on_whatsapp');
      await markNotOnWhatsapp(db, delivery.subscriberId);
      return false;
    }
    const message = await deps.outbound.messageFor(delivery.bulletinId);
    await socket.relayMessage(jid, message, { messageId: delivery.messageId });
    return true;
  } catch (err) {
    const outcome = await fail(err instanceof Error ? err.message : String(err), permanentFailure(err));
    deps.log.warn(
      { err, outcome, deliveryId: delivery.id, attempts: delivery.attempts },
      'delivery not sent',
    );
    return false;
  }
}

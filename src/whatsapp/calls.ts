import { jidNormalizedUser, type WACallEvent } from '@whiskeysockets/baileys';
import type { Logger } from '../logger.js';
import type { BridgeSocket } from './socket.js';

const REMEMBERED_CALLS = 500;

/**
 * Rejects every incoming call once per call id (the same call fires several events), then lets
 * the caller know, once, that this number only sends.
 */
export function createCallRejecter(deps: {
  socket(): BridgeSocket | undefined;
  logger: Logger;
  /** Queues the reply on the inbound lane: a call's handling never waits for it. */
  afterReject(caller: { replyJid: string; phoneJid?: string | undefined }): void;
}) {
  const seen = new Set<string>();
  return async function onCalls(calls: WACallEvent[]): Promise<void> {
    for (const call of calls) {
      if (call.status !== 'offer' || call.offline || seen.has(call.id)) continue;
      seen.add(call.id);
      if (seen.size > REMEMBERED_CALLS) seen.delete(seen.values().next().value!);
      try {
        await deps.socket()?.rejectCall(call.id, call.from);
        deps.logger.info({ callId: call.id }, 'incoming call rejected');
      } catch (err) {
        deps.logger.warn({ err, callId: call.id }, 'could not reject incoming call');
      }
      deps.afterReject({
        replyJid: jidNormalizedUser(call.from),
        phoneJid: call.callerPn ? jidNormalizedUser(call.callerPn) : undefined,
      });
    }
  };
}

import type { ReplyOutbox } from '../core/replies.js';
import type { Logger } from '../logger.js';
import { type CloudErrorKind, classifyError, GraphApiError } from './graph-api.js';
import { recipientOf, textMessage } from './messages.js';
import type { CallResult } from './throughput-call.js';

/**
 * Sends owed replies to citizens through the Cloud API, oldest first, each once; stops at the
 * first failure (the reply stays owed and is tried again shortly) or once `halted`. Returns how
 * many were owed.
 */
export async function sendOwedCloudReplies(
  deps: {
    replies: ReplyOutbox;
    call: (body: Record<string, unknown>) => Promise<CallResult>;
    halted: () => boolean;
    /** An error that is not the recipient's may pause the whole queue (alerts.ts's PAUSING). */
    onQueueError: (kind: CloudErrorKind, code: number | undefined) => Promise<boolean>;
    log: Logger;
  },
  limit: number,
): Promise<number> {
  const owed = await deps.replies.owed(limit);
  for (const reply of owed) {
    if (deps.halted()) break;
    const result = await deps.call(textMessage(recipientOf(reply.jid), reply.text));
    if ('err' in result) {
      const kind = classifyError(result.err);
      deps.log.warn({ err: result.err, kind, replyId: reply.id }, 'reply to a citizen not sent');
      await deps.onQueueError(kind, result.err instanceof GraphApiError ? result.err.code : undefined);
      break;
    }
    await deps.replies.sent(reply.id);
  }
  return owed.length;
}

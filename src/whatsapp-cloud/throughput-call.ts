import type { Logger } from '../logger.js';
import type { Bucket } from './bucket.js';
import { classifyError, type GraphApi } from './graph-api.js';

/** A throughput error is retried in place this many times before the delivery is given back. */
const THROUGHPUT_TRIES = 4;

export type CallResult = { wamid: string } | { err: unknown };

/**
 * One Cloud API send under the token bucket, retried in place on a throughput error (the bucket
 * slows down each time) up to THROUGHPUT_TRIES; the wamid, or the error it ended with.
 * `tookFirst`: the caller already took the bucket's token for the first try.
 */
export function createThroughputCall(deps: {
  api: GraphApi;
  bucket: Bucket;
  signal: AbortSignal;
  logger: Logger;
  stopped: () => boolean;
}): (body: Record<string, unknown>, tookFirst?: boolean) => Promise<CallResult> {
  const { api, bucket, signal, logger } = deps;
  return async (body, tookFirst = false) => {
    for (let tries = 1; ; tries++) {
      if (tries > 1 || !tookFirst) await bucket.take(signal);
      try {
        return { wamid: await api.sendMessage(body) };
      } catch (err) {
        if (classifyError(err) !== 'throughput' || tries >= THROUGHPUT_TRIES || deps.stopped())
          return { err };
        bucket.slowDown();
        logger.warn({ rate: bucket.rate() }, 'Cloud API throughput limit: slowing down');
      }
    }
  };
}

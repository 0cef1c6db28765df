import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { recordCloudEvent } from '../core/cloud-events.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';

export const WEBHOOK_PATH = '/webhooks/whatsapp';
/** Meta's webhook bodies are a few kilobytes; anything far larger is not Meta's. */
const MAX_BODY_BYTES = 1_000_000;

/** Constant-time comparison of two strings (their lengths may differ). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `X-Hub-Signature-256` is `sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>`. */
export function validSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The Cloud API's webhook at /webhooks/whatsapp, as a Hono app to mount on the HTTP port. GET is
 * Meta's verification handshake. POST is accepted only with a valid signature over the raw bytes
 * (401 and nothing recorded otherwise); the body is stored as it came and answered 200 at once,
 * to be processed from the database (Meta retries slow or failed answers).
 */
export function cloudWebhook(deps: {
  db: Queryable;
  verifyToken: string;
  appSecret: string;
  logger: Logger;
}): Hono {
  const app = new Hono();
  app.get(WEBHOOK_PATH, (c) => {
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token') ?? '';
    const challenge = c.req.query('hub.challenge') ?? '';
    if (mode !== 'subscribe' || !sameText(token, deps.verifyToken)) {
      deps.logger.warn('webhook verification refused: wrong verify token');
      return c.text('forbidden', 403);
    }
    return c.text(challenge, 200);
  });
  // Read before the signature can be checked: a chunked body with no length is cut off as it streams.
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.text('too large', 413) });
  app.post(WEBHOOK_PATH, limit, async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length > MAX_BODY_BYTES) return c.text('too large', 413);
    if (!validSignature(raw, c.req.header('x-hub-signature-256'), deps.appSecret)) {
      deps.logger.warn('webhook refused: bad signature');
      return c.text('invalid signature', 401);
    }
    try {
      await recordCloudEvent(deps.db, raw.toString('utf8'));
    } catch (err) {
      // Not stored, so not acknowledged: Meta sends it again.
      deps.logger.error({ err }, 'webhook not stored; Meta will retry');
      return c.text('not stored', 503);
    }
    return c.text('ok', 200);
  });
  return app;
}

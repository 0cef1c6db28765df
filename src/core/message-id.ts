import { createHash } from 'node:crypto';
import { eq, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { secrets } from '../db/schema.js';

/** The row of `secrets` that keys delivery message ids (made by migration 0007 at first start). */
export const MESSAGE_ID_SECRET = 'message_id';

const sha256 = (...parts: (Buffer | string)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * The WhatsApp message id of one delivery, in Baileys' own shape ('3EB0' + 36 upper-case hex, as
 * generateMessageID makes): the same (bulletin, subscriber) always gets the same id, so a re-send
 * after a crash is the same message to WhatsApp, not a second one; and nobody without the secret
 * can work out the id of someone else's message. The keyed hash is sha256(k || sha256(k || m)),
 * an HMAC without the pads (PGlite has no pgcrypto `hmac`), which length extension cannot reach.
 * Mirrored in SQL by deliveryMessageIdSql.
 */
export function deliveryMessageId(secret: Buffer, bulletinId: number, subscriberId: number): string {
  const inner = sha256(secret, `banditore:${bulletinId}:${subscriberId}`);
  return `3EB0${sha256(secret, inner).toString('hex').slice(0, 36).toUpperCase()}`;
}

/**
 * deliveryMessageId in SQL, over a bulletin id and a subscriber id expression, so the fan-out
 * stays one INSERT ... SELECT.
 */
export function deliveryMessageIdSql(bulletinId: SQL, subscriberId: SQL): SQL {
  const secret = sql`(SELECT value FROM secrets WHERE name = ${MESSAGE_ID_SECRET})`;
  const message = sql`convert_to('banditore:' || ${bulletinId} || ':' || ${subscriberId}, 'UTF8')`;
  return sql`'3EB0' || upper(substr(encode(sha256(${secret} || sha256(${secret} || ${message})), 'hex'), 1, 36))`;
}

/** The secret that keys message ids. */
export async function messageIdSecret(db: Queryable): Promise<Buffer> {
  const [row] = await db
    .select({ value: secrets.value })
    .from(secrets)
    .where(eq(secrets.name, MESSAGE_ID_SECRET));
  if (!row) throw new Error('the message id secret is missing: migrations not applied?');
  return row.value;
}

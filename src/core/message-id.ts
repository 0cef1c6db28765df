import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { secrets } from '../db/schema.js';

/** The row of `secrets` that keys delivery message ids (made by migration 0010 at first start). */
export const MESSAGE_ID_SECRET = 'message_id';

/** Marks the ids made here (format 2); rows queued before migration 0018 keep the id they stored. */
const FORMAT = '0002';
const SHAPE = /^3EB00002[0-9A-F]{32}$/;

export type DeliveryKey = { bulletinId: number; subscriberId: number };

type Codec = { encode(key: DeliveryKey): string; decode(messageId: string): DeliveryKey | undefined };
const codecs = new Map<string, Codec>();

/**
 * AES-128 of one 16-byte block, (bulletin, subscriber, eight zero bytes), under a key derived from
 * the secret: a keyed permutation, so the id is as unguessable as a keyed hash, yet it decodes back
 * to its delivery without a lookup table, and the zero bytes tell a genuine id from a made-up one.
 * ECB on a single block has no chaining, so one cipher object serves every id.
 */
function codecFor(secret: Buffer): Codec {
  const cached = codecs.get(secret.toString('hex'));
  if (cached) return cached;
  const key = createHash('sha256').update(secret).update('banditore:message-id:2').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  const decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  const codec: Codec = {
    encode({ bulletinId, subscriberId }) {
      const block = Buffer.alloc(16);
      block.writeUInt32BE(bulletinId, 0);
      block.writeUInt32BE(subscriberId, 4);
      return `3EB0${FORMAT}${cipher.update(block).toString('hex').toUpperCase()}`;
    },
    decode(messageId) {
      if (!SHAPE.test(messageId)) return undefined;
      const block = decipher.update(Buffer.from(messageId.slice(8), 'hex'));
      if (!block.subarray(8).equals(Buffer.alloc(8))) return undefined;
      return { bulletinId: block.readUInt32BE(0), subscriberId: block.readUInt32BE(4) };
    },
  };
  codecs.set(secret.toString('hex'), codec);
  return codec;
}

/**
 * The WhatsApp message id of one delivery, in Baileys' own shape ('3EB0' + 36 upper-case hex): the
 * same (bulletin, subscriber) always gets the same id, so a re-send after a crash is the same
 * message to WhatsApp, not a second one; nobody without the secret can work out the id of someone
 * else's message; and the id decodes back to (bulletin, subscriber), so receipts find their
 * delivery through that unique index and the fan-out writes no index entry for the id at all.
 */
export function deliveryMessageId(secret: Buffer, bulletinId: number, subscriberId: number): string {
  return codecFor(secret).encode({ bulletinId, subscriberId });
}

/** The delivery a message id of ours names, or undefined for any other id (or one made up). */
export function decodeDeliveryMessageId(secret: Buffer, messageId: string): DeliveryKey | undefined {
  return codecFor(secret).decode(messageId);
}

const read = new WeakMap<object, Buffer>();

/** The secret that keys message ids (read once per database handle: it never changes). */
export async function messageIdSecret(db: Queryable): Promise<Buffer> {
  const known = read.get(db);
  if (known) return known;
  const [row] = await db
    .select({ value: secrets.value })
    .from(secrets)
    .where(eq(secrets.name, MESSAGE_ID_SECRET));
  if (!row) throw new Error('the message id secret is missing: migrations not applied?');
  read.set(db, row.value);
  return row.value;
}

/** A delivery row's message id: the one it stored (queued before migration 0018), else derived. */
export function messageIdOf(
  secret: Buffer,
  row: { message_id: string | null; bulletin_id: number | string; subscriber_id: number | string },
): string {
  return row.message_id ?? deliveryMessageId(secret, Number(row.bulletin_id), Number(row.subscriber_id));
}

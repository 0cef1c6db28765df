import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { secrets } from '../db/schema.js';

/** The secrets this installation keeps, one row each: add a name here for a new use. */
export type SecretName = 'reply_salt' | 'message_id';

/**
 * A secret made at first use and kept in the database, so every process (bot, bridge, a restart)
 * derives the same keys and nobody without the database can. Two processes asking at once get the
 * same one (the first insert wins).
 */
export async function secret(db: Queryable, name: SecretName): Promise<Buffer> {
  const read = async () =>
    (await db.select({ value: secrets.value }).from(secrets).where(eq(secrets.name, name)))[0]?.value;
  let value = await read();
  if (value === undefined) {
    await db
      .insert(secrets)
      .values({ name, value: randomBytes(32) })
      .onConflictDoNothing();
    value = await read();
  }
  if (value === undefined) throw new Error(`secret ${name} vanished`);
  return Buffer.from(value);
}

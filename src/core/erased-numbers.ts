import { createHash } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { erasedNumbers } from '../db/schema.js';

// The same fingerprint in JavaScript and in SQL: the import checks thousands of numbers in one statement.
const PREFIX = 'banditore:erased:';

/** The fingerprint kept of an erased phone jid: SHA-256, hex. */
export function erasedNumberHash(phoneJid: string): string {
  return createHash('sha256').update(`${PREFIX}${phoneJid}`).digest('hex');
}

/** erasedNumberHash of a phone jid column or expression, in SQL. */
export function erasedNumberHashSql(phoneJid: SQL): SQL {
  return sql`encode(sha256(convert_to(${PREFIX} || ${phoneJid}, 'UTF8')), 'hex')`;
}

/** Remembers that these numbers asked to be forgotten, so no import brings them back. */
export async function rememberErased(tx: Queryable, phoneJids: string[]): Promise<void> {
  if (phoneJids.length === 0) return;
  await tx
    .insert(erasedNumbers)
    .values(phoneJids.map((jid) => ({ numberHash: erasedNumberHash(jid) })))
    .onConflictDoNothing();
}

import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Db, type Queryable, rowsOf } from '../db/client.js';
import { imports, lists } from '../db/schema.js';
import { recordAudit } from './audit.js';
import type { ContactsFile } from './contacts-file.js';
import { erasedNumberHashSql } from './erased-numbers.js';
import { DomainError } from './errors.js';
import { requireRole } from './staff.js';

/** How long a summary's "Importa" works; after that the numbers read from the file are dropped. */
export const IMPORT_TTL_MINUTES = 60;

type Admin = { actorId: number; adminIds: readonly number[] };
type NamedList = { slug: string; name: string };

export type ImportCounts = {
  valid: number;
  invalid: number;
  duplicates: number;
  landlines: number;
  /** Valid numbers already on the list: importing leaves them as they are. */
  alreadySubscribed: number;
  /** Valid numbers of people who asked to be forgotten ("Cancella"): never imported. */
  optedOut: number;
};

export type ImportPreview =
  | { outcome: 'ready'; importId: number; list: NamedList; counts: ImportCounts; expiresAt: Date }
  | { outcome: 'empty'; list: NamedList; counts: ImportCounts }
  | { outcome: 'already_imported'; list: NamedList; importedAt: Date; imported: number };

/** A Postgres array literal of E.164 digits: one parameter however many numbers (they are digits only). */
function digitsArray(numbers: readonly string[]): string {
  if (numbers.some((n) => !/^\d{4,15}$/.test(n))) throw new Error('not E.164 digits');
  return `{${numbers.join(',')}}`;
}

async function targetList(tx: Queryable, slug: string | undefined) {
  const [list] = await tx
    .select({ id: lists.id, slug: lists.slug, name: lists.name })
    .from(lists)
    .where(and(slug ? eq(lists.slug, slug) : eq(lists.isDefault, true), isNull(lists.archivedAt)));
  if (!list) throw new DomainError('list_not_found');
  return list;
}

/** Drops the numbers of imports nobody confirmed in time; returns how many expired. */
export async function expirePendingImports(db: Queryable): Promise<number> {
  const rows = await db
    .update(imports)
    .set({ state: 'expired', numbers: null })
    .where(and(eq(imports.state, 'pending'), sql`${imports.expiresAt} <= now()`))
    .returning({ id: imports.id });
  return rows.length;
}

/**
 * An amministratore asks to import a contacts file into a list (the default one unless named):
 * nothing changes for citizens yet. The valid numbers wait server-side, keyed by the file's hash
 * and the list, for "Importa" within IMPORT_TTL_MINUTES; asking again for the same file refreshes
 * the same pending import. A file already imported into that list is not offered again.
 */
export async function prepareImport(
  db: Db,
  input: Admin & { list?: string | undefined; fileHash: string; file: ContactsFile },
): Promise<ImportPreview> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    await expirePendingImports(tx);
    const list = await targetList(tx, input.list);
    const named = { slug: list.slug, name: list.name };
    const [done] = await tx
      .select({ at: imports.decidedAt, imported: imports.imported })
      .from(imports)
      .where(
        and(eq(imports.fileHash, input.fileHash), eq(imports.listId, list.id), eq(imports.state, 'imported')),
      );
    if (done?.at)
      return { outcome: 'already_imported', list: named, importedAt: done.at, imported: done.imported };
    const { file } = input;
    const jids = sql`(SELECT n || '@s.whatsapp.net' AS jid FROM unnest(${digitsArray(file.numbers)}::text[]) n)`;
    const [found] = rowsOf<{ already: number | string; opted_out: number | string }>(
      await tx.execute(sql`
        SELECT
          (SELECT count(*) FROM subscriptions s JOIN subscribers sub ON sub.id = s.subscriber_id
           WHERE s.list_id = ${list.id} AND s.left_at IS NULL AND sub.phone_jid IN (SELECT jid FROM ${jids} j)) AS already,
          (SELECT count(*) FROM ${jids} j
           WHERE ${erasedNumberHashSql(sql`j.jid`)} IN (SELECT number_hash FROM erased_numbers)
             AND NOT EXISTS (SELECT 1 FROM subscribers sub WHERE sub.phone_jid = j.jid)) AS opted_out`),
    );
    const counts: ImportCounts = {
      valid: file.numbers.length,
      invalid: file.invalid,
      duplicates: file.duplicates,
      landlines: file.landlines,
      alreadySubscribed: Number(found?.already ?? 0),
      optedOut: Number(found?.opted_out ?? 0),
    };
    if (file.numbers.length === 0) return { outcome: 'empty', list: named, counts };
    const expiresAt = sql`now() + make_interval(mins => ${IMPORT_TTL_MINUTES})`;
    const [row] = await tx
      .insert(imports)
      .values({
        fileHash: input.fileHash,
        listId: list.id,
        numbers: file.numbers,
        counts,
        requestedBy: input.actorId,
        expiresAt,
      })
      .onConflictDoUpdate({
        target: [imports.fileHash, imports.listId],
        targetWhere: sql`${imports.state} = 'pending'`,
        set: {
          numbers: file.numbers,
          counts,
          requestedBy: input.actorId,
          requestedAt: sql`now()`,
          expiresAt,
        },
      })
      .returning({ id: imports.id, expiresAt: imports.expiresAt });
    if (!row) throw new Error('the pending import was not stored');
    return { outcome: 'ready', importId: row.id, list: named, counts, expiresAt: row.expiresAt };
  });
}

/** Throws the refusal that says why an import could not be confirmed or cancelled. */
async function whyClosed(tx: Queryable, importId: number): Promise<never> {
  const [row] = await tx.select({ state: imports.state }).from(imports).where(eq(imports.id, importId));
  if (!row) throw new DomainError('import_not_found');
  if (row.state === 'pending' || row.state === 'expired') throw new DomainError('import_expired');
  throw new DomainError('import_closed');
}

export type ImportResult = { list: NamedList; imported: number; counts: ImportCounts; fileHash: string };

/**
 * "Importa": in one transaction an amministratore (checked again here) turns the pending import
 * into memberships. Each new membership's consent record is this import (who, when, which file);
 * names are never read. Numbers already on the list, people who left it and people erased by
 * "Cancella" are left as they are, so importing the same people again changes nothing. Every number is checked with
 * `onWhatsApp` before its first send, as any other. The register records the import.
 */
export async function confirmImport(db: Db, input: Admin & { importId: number }): Promise<ImportResult> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const [claimed] = await tx
      .update(imports)
      .set({ state: 'imported', decidedBy: input.actorId, decidedAt: sql`now()` })
      .where(
        and(eq(imports.id, input.importId), eq(imports.state, 'pending'), sql`${imports.expiresAt} > now()`),
      )
      .returning({ listId: imports.listId, fileHash: imports.fileHash, counts: imports.counts });
    if (!claimed) return whyClosed(tx, input.importId);
    // People who asked to be forgotten stay forgotten: no row is made for them.
    const numbers = sql`(SELECT n || '@s.whatsapp.net' AS jid FROM unnest((SELECT numbers FROM imports WHERE id = ${input.importId})) n)`;
    await tx.execute(sql`
      INSERT INTO subscribers (phone_jid) SELECT j.jid FROM ${numbers} j
      WHERE ${erasedNumberHashSql(sql`j.jid`)} NOT IN (SELECT number_hash FROM erased_numbers)
      ON CONFLICT DO NOTHING`);
    const [added] = rowsOf<{ n: number | string }>(
      await tx.execute(sql`
        WITH added AS (
          INSERT INTO subscriptions (subscriber_id, list_id, source, import_id)
          SELECT sub.id, ${claimed.listId}, 'import', ${input.importId} FROM subscribers sub
          WHERE sub.phone_jid IN (SELECT jid FROM ${numbers} j)
          ON CONFLICT DO NOTHING
          RETURNING 1
        ), joined AS (
          INSERT INTO subscription_events (list_id, kind) SELECT ${claimed.listId}, 'join' FROM added RETURNING 1
        )
        SELECT count(*) AS n FROM joined`),
    );
    const imported = Number(added?.n ?? 0);
    await tx.update(imports).set({ numbers: null, imported }).where(eq(imports.id, input.importId));
    const [list] = await tx
      .select({ slug: lists.slug, name: lists.name })
      .from(lists)
      .where(eq(lists.id, claimed.listId));
    if (!list) throw new Error(`list ${claimed.listId} of import ${input.importId} is missing`);
    const counts = claimed.counts as ImportCounts;
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'import',
      hash: claimed.fileHash,
      detail: { importId: input.importId, list: list.slug, imported, ...counts },
    });
    return { list, imported, counts, fileHash: claimed.fileHash };
  });
}

/** "Annulla": the pending import is dropped with its numbers; nothing else changes. */
export async function cancelImport(db: Db, input: Admin & { importId: number }): Promise<void> {
  await db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const rows = await tx
      .update(imports)
      .set({ state: 'cancelled', numbers: null, decidedBy: input.actorId, decidedAt: sql`now()` })
      .where(and(eq(imports.id, input.importId), eq(imports.state, 'pending')))
      .returning({ id: imports.id });
    if (rows.length === 0) await whyClosed(tx, input.importId);
  });
}

import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { archiveEntries, media } from '../db/schema.js';
import type { OutgoingBulletin } from './outlets.js';

/**
 * The public archive's records (the 'archive' outlet, sito in the staff's words). Only what a
 * citizen may read is kept: the approved body, category, dates, authenticity code and a reference
 * to the media; never who wrote or approved it, nor who received it.
 */
export type ArchiveEntry = typeof archiveEntries.$inferSelect;

/** What the archive keeps of a bulletin: the outgoing bulletin without its link or bytes. */
export type ArchivedBulletin = Omit<OutgoingBulletin, 'link' | 'media'> & {
  media: Pick<NonNullable<OutgoingBulletin['media']>, 'kind' | 'mimeType' | 'fileName' | 'sha256'> | null;
};

/** A bulletin is archived once: publishing it again (a retry after a crash) changes nothing. */
export async function recordArchiveEntry(db: Queryable, bulletin: ArchivedBulletin): Promise<void> {
  const file = bulletin.media;
  const [stored] = file
    ? await db
        .select({ size: media.size })
        .from(media)
        .where(and(eq(media.sha256, file.sha256), isNull(media.droppedAt)))
        .limit(1)
    : [];
  await db
    .insert(archiveEntries)
    .values({
      bulletinId: bulletin.bulletinId,
      version: bulletin.version,
      code: bulletin.code,
      category: bulletin.category,
      urgent: bulletin.urgent,
      body: bulletin.body,
      approvedAt: bulletin.approvedAt,
      mediaKind: file?.kind ?? null,
      mediaMimeType: file?.mimeType ?? null,
      mediaFileName: file?.fileName ?? null,
      mediaSha256: file?.sha256 ?? null,
      mediaSize: stored?.size ?? null,
    })
    .onConflictDoNothing({ target: archiveEntries.bulletinId });
}

/** Whether the bulletin is in the archive (withdrawn or not): a post that exists is not made twice. */
export async function isArchived(db: Queryable, bulletinId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: archiveEntries.bulletinId })
    .from(archiveEntries)
    .where(eq(archiveEntries.bulletinId, bulletinId));
  return row !== undefined;
}

/**
 * Ritira on the site: the entry stays so its page can say it was withdrawn; the list, the feeds
 * and the media route drop it. False when the bulletin was never archived.
 */
export async function withdrawArchiveEntry(db: Queryable, bulletinId: number): Promise<boolean> {
  const rows = await db
    .update(archiveEntries)
    .set({ withdrawnAt: sql`coalesce(${archiveEntries.withdrawnAt}, now())` })
    .where(eq(archiveEntries.bulletinId, bulletinId))
    .returning({ id: archiveEntries.bulletinId });
  return rows.length > 0;
}

/** The latest entries not withdrawn, newest first. */
export async function latestArchiveEntries(
  db: Queryable,
  page: { limit: number; offset?: number },
): Promise<ArchiveEntry[]> {
  return db
    .select()
    .from(archiveEntries)
    .where(isNull(archiveEntries.withdrawnAt))
    .orderBy(desc(archiveEntries.publishedAt), desc(archiveEntries.bulletinId))
    .limit(page.limit)
    .offset(page.offset ?? 0);
}

/** One entry, withdrawn or not. */
export async function archiveEntry(db: Queryable, bulletinId: number): Promise<ArchiveEntry | undefined> {
  const [row] = await db.select().from(archiveEntries).where(eq(archiveEntries.bulletinId, bulletinId));
  return row;
}

/** A media file's bytes, only while a bulletin that is archived and not withdrawn carries it. */
export async function archivedMediaFile(
  db: Queryable,
  sha256: string,
): Promise<{ mimeType: string; kind: string; fileName: string | null; data: Buffer } | undefined> {
  const [entry] = await db
    .select({
      mimeType: archiveEntries.mediaMimeType,
      kind: archiveEntries.mediaKind,
      fileName: archiveEntries.mediaFileName,
    })
    .from(archiveEntries)
    .where(
      and(
        eq(archiveEntries.mediaSha256, sha256),
        isNull(archiveEntries.withdrawnAt),
        isNotNull(archiveEntries.mediaMimeType),
      ),
    )
    .limit(1);
  if (!entry?.mimeType || !entry.kind) return undefined;
  const [file] = await db
    .select({ data: media.data })
    .from(media)
    .where(and(eq(media.sha256, sha256), isNull(media.droppedAt)))
    .limit(1);
  if (!file) return undefined;
  return { mimeType: entry.mimeType, kind: entry.kind, fileName: entry.fileName, data: file.data };
}

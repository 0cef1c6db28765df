import { asc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bulletinLists, bulletins, bulletinVersions, lists } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { DomainError } from './errors.js';
import { type NewMedia, storeMedia } from './media.js';
import { requireRole } from './staff.js';
import { versionHash } from './version-hash.js';

/** WhatsApp shows long texts, but a bulletin must stay readable on a phone. */
export const MAX_BULLETIN_LENGTH = 4096;

export type Bulletin = typeof bulletins.$inferSelect;

/**
 * A redattore or above drafts a bulletin (text, or media with a caption) for the default list; it
 * waits for approval. Version 1 and its hash are kept, and the register names the author.
 */
export async function createDraft(
  db: Db,
  input: {
    authorId: number;
    text: string;
    adminIds: readonly number[];
    media?: NewMedia;
    authorName?: string;
  },
): Promise<Bulletin> {
  const text = input.text.trim();
  if (text === '' && !input.media) throw new DomainError('empty_text');
  if (text.length > MAX_BULLETIN_LENGTH) throw new DomainError('text_too_long');
  return db.transaction(async (tx) => {
    await requireRole(tx, input.authorId, input.adminIds, 'redattore');
    const stored = input.media ? await storeMedia(tx, input.media) : undefined;
    const [bulletin] = await tx
      .insert(bulletins)
      .values({ text, authorId: input.authorId, mediaId: stored?.id ?? null })
      .returning();
    if (!bulletin) throw new Error('insert returned no bulletin');
    const [defaultList] = await tx
      .select({ id: lists.id, slug: lists.slug })
      .from(lists)
      .where(eq(lists.isDefault, true));
    if (!defaultList) throw new Error('the default list is missing: migrations not applied?');
    await tx.insert(bulletinLists).values({ bulletinId: bulletin.id, listId: defaultList.id });
    const hash = versionHash({
      text,
      category: null,
      mediaSha256: stored?.sha256 ?? null,
      lists: [defaultList.slug],
    });
    await tx.insert(bulletinVersions).values({
      bulletinId: bulletin.id,
      version: 1,
      text,
      mediaId: stored?.id ?? null,
      listIds: [defaultList.id],
      hash,
      authorId: input.authorId,
    });
    await recordAudit(tx, {
      actorId: input.authorId,
      action: 'draft',
      bulletinId: bulletin.id,
      version: 1,
      hash,
      ...(input.authorName ? { detail: { name: input.authorName } } : {}),
    });
    return bulletin;
  });
}

/** The lists a bulletin goes to now: their ids (ascending) and slugs, as a version records them. */
export async function bulletinTargets(
  db: Queryable,
  bulletinId: number,
): Promise<{ ids: number[]; slugs: string[] }> {
  const rows = await db
    .select({ id: lists.id, slug: lists.slug })
    .from(bulletinLists)
    .innerJoin(lists, eq(lists.id, bulletinLists.listId))
    .where(eq(bulletinLists.bulletinId, bulletinId))
    .orderBy(asc(lists.id));
  return { ids: rows.map((r) => r.id), slugs: rows.map((r) => r.slug) };
}

/** Remembers which Telegram message shows the preview, so its state can be shown there. */
export async function setPreviewMessage(db: Queryable, bulletinId: number, messageId: number): Promise<void> {
  await db.update(bulletins).set({ previewMessageId: messageId }).where(eq(bulletins.id, bulletinId));
}

export async function getBulletin(db: Queryable, bulletinId: number): Promise<Bulletin> {
  const [bulletin] = await db.select().from(bulletins).where(eq(bulletins.id, bulletinId));
  if (!bulletin) throw new DomainError('bulletin_not_found');
  return bulletin;
}

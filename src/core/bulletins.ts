import { asc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bulletinLists, bulletins, bulletinVersions, lists } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { bodyLength, isEmptyBody, normaliseBody, plainBody, plainText } from './body.js';
import { DEFAULT_OUTLETS, setBulletinOutlets } from './bulletin-outlets.js';
import { DomainError } from './errors.js';
import { type NewMedia, storeMedia } from './media.js';
import type { BulletinBody, OutletName } from './outlets.js';
import { requireRole } from './staff.js';
import { bodyVersionHash, CURRENT_HASH_SCHEME } from './version-hash.js';

/** WhatsApp shows long texts, but a bulletin must stay readable on a phone. */
export const MAX_BULLETIN_LENGTH = 4096;

export type Bulletin = typeof bulletins.$inferSelect;
export type BulletinAudience = Bulletin['audience'];

export type DraftInput = {
  authorId: number;
  /** Plain text, when there is no formatting (imports, notices, tests); `body` wins when both are set. */
  text?: string;
  /** What staff wrote, with its formatting. */
  body?: BulletinBody;
  adminIds: readonly number[];
  media?: NewMedia;
  authorName?: string;
  /** The list it goes to (the default list when unset); staff can change it on the preview. */
  listId?: number;
  /** Everyone on its lists (the default), or a narrower audience within them. */
  audience?: BulletinAudience;
  /** The outlets it goes out through (WhatsApp 1:1 alone when unset); staff can change them on the preview. */
  outlets?: readonly OutletName[];
};

/**
 * A redattore or above drafts a bulletin (text, or media with a caption) for the default list; it
 * waits for approval. Version 1 and its hash are kept, and the register names the author.
 */
export async function createDraft(db: Db, input: DraftInput): Promise<Bulletin> {
  return db.transaction((tx) => insertDraft(tx, input));
}

/** createDraft inside the caller's transaction. */
export async function insertDraft(tx: Queryable, input: DraftInput): Promise<Bulletin> {
  const body = normaliseBody(input.body ?? plainBody(input.text ?? ''));
  const text = plainText(body);
  if (isEmptyBody(body) && !input.media) throw new DomainError('empty_text');
  if (bodyLength(body) > MAX_BULLETIN_LENGTH) throw new DomainError('text_too_long');
  await requireRole(tx, input.authorId, input.adminIds, 'redattore');
  const stored = input.media ? await storeMedia(tx, input.media) : undefined;
  const [bulletin] = await tx
    .insert(bulletins)
    .values({
      text,
      body,
      authorId: input.authorId,
      mediaId: stored?.id ?? null,
      audience: input.audience ?? 'all',
    })
    .returning();
  if (!bulletin) throw new Error('insert returned no bulletin');
  const [target] = await tx
    .select({ id: lists.id, slug: lists.slug })
    .from(lists)
    .where(input.listId === undefined ? eq(lists.isDefault, true) : eq(lists.id, input.listId));
  if (!target) throw new Error('the default list is missing: migrations not applied?');
  await tx.insert(bulletinLists).values({ bulletinId: bulletin.id, listId: target.id });
  const outlets = await setBulletinOutlets(tx, bulletin.id, input.outlets ?? DEFAULT_OUTLETS);
  const hash = bodyVersionHash({
    body,
    category: null,
    mediaSha256: stored?.sha256 ?? null,
    lists: [target.slug],
    outlets,
  });
  await tx.insert(bulletinVersions).values({
    bulletinId: bulletin.id,
    version: 1,
    text,
    body,
    hashScheme: CURRENT_HASH_SCHEME,
    mediaId: stored?.id ?? null,
    listIds: [target.id],
    outlets,
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

import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins, cloudMedia, media } from '../db/schema.js';
import { parseBody } from './body.js';
import type { BulletinBody } from './outlets.js';

export type CloudBulletin = {
  /** What staff wrote, for the adapter to render (the caption of a media bulletin). */
  body: BulletinBody;
  category: string | null;
  media: { kind: 'image' | 'video' | 'document'; mimeType: string; fileName: string | null } | null;
};

/** A bulletin as the Cloud API transport sends it (the bytes are read apart, only to upload). */
export async function cloudBulletin(db: Queryable, bulletinId: number): Promise<CloudBulletin> {
  const [row] = await db
    .select({
      body: bulletins.body,
      category: bulletins.category,
      kind: media.kind,
      mimeType: media.mimeType,
      fileName: media.fileName,
    })
    .from(bulletins)
    .leftJoin(media, eq(media.id, bulletins.mediaId))
    .where(eq(bulletins.id, bulletinId));
  if (!row) throw new Error(`bulletin ${bulletinId} not found`);
  return {
    body: parseBody(row.body),
    category: row.category,
    media:
      row.kind && row.mimeType ? { kind: row.kind, mimeType: row.mimeType, fileName: row.fileName } : null,
  };
}

/** The bytes of a bulletin's media, for its one upload. */
export async function cloudBulletinMediaBytes(db: Queryable, bulletinId: number): Promise<Buffer> {
  const [row] = await db
    .select({ data: media.data })
    .from(bulletins)
    .innerJoin(media, eq(media.id, bulletins.mediaId))
    .where(eq(bulletins.id, bulletinId));
  if (!row) throw new Error(`bulletin ${bulletinId} has no media`);
  return row.data;
}

/** The media id the Cloud API gave this bulletin's file, if it was uploaded already. */
export async function uploadedCloudMedia(db: Queryable, bulletinId: number): Promise<string | undefined> {
  const [row] = await db
    .select({ mediaId: cloudMedia.mediaId })
    .from(cloudMedia)
    .where(eq(cloudMedia.bulletinId, bulletinId));
  return row?.mediaId;
}

/** Keeps the media id of a bulletin's one upload (a second upload by a racing process is kept out). */
export async function rememberCloudMedia(
  db: Queryable,
  input: { bulletinId: number; mediaId: string },
): Promise<string> {
  await db.insert(cloudMedia).values(input).onConflictDoNothing();
  return (await uploadedCloudMedia(db, input.bulletinId)) ?? input.mediaId;
}

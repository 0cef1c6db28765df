import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { media } from '../db/schema.js';

export type MediaKind = (typeof media.$inferSelect)['kind'];

/** A photo, video or PDF as downloaded from Telegram, before it is kept. */
export type NewMedia = {
  kind: MediaKind;
  mimeType: string;
  fileName: string | null;
  data: Buffer;
  telegramFileId: string;
};

/** Keeps the file's bytes (and its SHA-256, which the version hash binds) so any process can send it. */
export async function storeMedia(db: Queryable, input: NewMedia): Promise<{ id: number; sha256: string }> {
  const sha256 = createHash('sha256').update(input.data).digest('hex');
  const [row] = await db
    .insert(media)
    .values({ ...input, size: input.data.length, sha256 })
    .returning({ id: media.id });
  if (!row) throw new Error('insert returned no media');
  return { id: row.id, sha256 };
}

/** What the preview needs to show a media bulletin's file again, without its bytes. */
export async function mediaInfo(db: Queryable, mediaId: number | null) {
  if (mediaId === null) return undefined;
  const [row] = await db
    .select({
      kind: media.kind,
      sha256: media.sha256,
      size: media.size,
      fileName: media.fileName,
      telegramFileId: media.telegramFileId,
    })
    .from(media)
    .where(eq(media.id, mediaId));
  return row;
}

import { and, eq, isNull, notInArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins, media } from '../db/schema.js';

/** What every recipient of a bulletin is sent: its body, category and media (by id). */
export type BulletinContent = Pick<typeof bulletins.$inferSelect, 'id' | 'body' | 'category' | 'mediaId'>;
export type MediaFile = typeof media.$inferSelect;

const content = {
  id: bulletins.id,
  body: bulletins.body,
  category: bulletins.category,
  mediaId: bulletins.mediaId,
};

/** One bulletin's content, or undefined when there is no such bulletin. */
export async function bulletinContent(
  db: Queryable,
  bulletinId: number,
): Promise<BulletinContent | undefined> {
  const [row] = await db.select(content).from(bulletins).where(eq(bulletins.id, bulletinId));
  return row;
}

/**
 * The content of every bulletin a claim may take deliveries of now (sending, not paused), but for
 * those the caller already holds. A sender waking from idle reads it while its first claim runs,
 * so its first message does not wait for a second round trip after the claim.
 */
export async function sendingBulletinContents(db: Queryable, held: number[]): Promise<BulletinContent[]> {
  return db
    .select(content)
    .from(bulletins)
    .where(
      and(
        eq(bulletins.state, 'sending'),
        isNull(bulletins.pausedAt),
        held.length > 0 ? notInArray(bulletins.id, held) : undefined,
      ),
    );
}

/** A stored media file, bytes included. */
export async function mediaFile(db: Queryable, mediaId: number): Promise<MediaFile | undefined> {
  const [row] = await db.select().from(media).where(eq(media.id, mediaId));
  return row;
}

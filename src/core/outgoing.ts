import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { bulletins, bulletinVersions, media } from '../db/schema.js';
import type { BulletinBody, OutgoingBulletin } from './outlets.js';
import { appendedLink } from './public-link.js';

/** How many characters of the approved version's hash make its authenticity code. */
export const AUTHENTICITY_CODE_LENGTH = 8;

/** The short authenticity code of an approved version: the first characters of its hash. */
export function authenticityCode(hash: string): string {
  return hash.slice(0, AUTHENTICITY_CODE_LENGTH);
}

/**
 * The neutral body of a stored version. Versions keep the text staff wrote (in WhatsApp's
 * markup, until the neutral body is stored): it goes out as it is, with no entities.
 */
export function versionBody(version: { text: string }): BulletinBody {
  return { text: version.text, entities: [] };
}

export type LinkConfig = { publicBaseUrl: string | undefined; bulletinLink: boolean };

/**
 * A bulletin as a broadcast outlet receives it: its approved version (the version and hash the
 * approval is bound to), its media with the bytes read only on demand, and its archive link.
 */
export async function outgoingBulletin(
  db: Queryable,
  bulletinId: number,
  link: LinkConfig,
): Promise<OutgoingBulletin | undefined> {
  const [row] = await db
    .select({
      version: bulletinVersions.version,
      text: bulletinVersions.text,
      category: bulletinVersions.category,
      hash: bulletinVersions.hash,
      mediaId: bulletinVersions.mediaId,
      urgent: bulletins.urgent,
      approvedAt: bulletins.decidedAt,
    })
    .from(bulletins)
    .innerJoin(
      bulletinVersions,
      and(
        eq(bulletinVersions.bulletinId, bulletins.id),
        eq(bulletinVersions.version, sql`coalesce(${bulletins.approvedVersion}, ${bulletins.version})`),
      ),
    )
    .where(eq(bulletins.id, bulletinId));
  if (!row) return undefined;
  return {
    bulletinId,
    version: row.version,
    code: authenticityCode(row.hash),
    body: versionBody(row),
    category: row.category,
    urgent: row.urgent,
    approvedAt: row.approvedAt ?? new Date(),
    link: appendedLink(link, bulletinId),
    media: row.mediaId === null ? null : await outgoingMedia(db, row.mediaId),
  };
}

async function outgoingMedia(db: Queryable, mediaId: number): Promise<OutgoingBulletin['media']> {
  const [row] = await db
    .select({
      kind: media.kind,
      mimeType: media.mimeType,
      fileName: media.fileName,
      sha256: media.sha256,
      telegramFileId: media.telegramFileId,
    })
    .from(media)
    .where(eq(media.id, mediaId));
  if (!row) return null;
  return {
    ...row,
    async bytes() {
      const [stored] = await db.select({ data: media.data }).from(media).where(eq(media.id, mediaId));
      if (!stored) throw new Error(`media ${mediaId} is gone`);
      return stored.data;
    },
  };
}

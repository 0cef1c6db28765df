import { isArchived, recordArchiveEntry, withdrawArchiveEntry } from '../core/archive.js';
import type { BroadcastOutlet, OutgoingBulletin, PublishResult } from '../core/outlets.js';
import type { Queryable } from '../db/client.js';

/**
 * The public archive as an outlet ("Sito" to staff): publishing is a row in `archive_entries`,
 * which the site and its feeds read. Its external id is the bulletin's number, which is also the
 * page's address (`/bollettini/<n>`), so a retry after a crash finds the post already there.
 */
export function createArchiveOutlet(deps: {
  db: Queryable;
  publicBaseUrl: string | undefined;
}): BroadcastOutlet {
  const { db } = deps;
  return {
    name: 'archive',
    capabilities: { revoke: true, media: true, paced: false },

    async publish(bulletin: OutgoingBulletin): Promise<PublishResult> {
      try {
        await recordArchiveEntry(db, {
          ...bulletin,
          media: bulletin.media && {
            kind: bulletin.media.kind,
            mimeType: bulletin.media.mimeType,
            fileName: bulletin.media.fileName,
            sha256: bulletin.media.sha256,
          },
        });
        return { ok: true, externalId: String(bulletin.bulletinId) };
      } catch (err) {
        return { ok: false, failure: 'unreachable', retryable: true, detail: describe(err) };
      }
    },

    async findPosted(bulletin: OutgoingBulletin): Promise<string | undefined> {
      return (await isArchived(db, bulletin.bulletinId)) ? String(bulletin.bulletinId) : undefined;
    },

    async revoke(externalId: string): Promise<boolean> {
      const bulletinId = Number(externalId);
      if (!Number.isInteger(bulletinId)) return false;
      return withdrawArchiveEntry(db, bulletinId);
    },

    async health() {
      return deps.publicBaseUrl
        ? { ok: true, detail: `pubblica su ${deps.publicBaseUrl}, feed ${deps.publicBaseUrl}/feed.xml` }
        : { ok: true, detail: 'pubblica sul sito, ma senza PUBLIC_BASE_URL i link non sono assoluti' };
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : 'database error';
}

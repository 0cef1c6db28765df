import type { CloudConfig } from '../config.js';
import { audienceSize } from '../core/audience.js';
import { type AuditAction, latestAuditEntry } from '../core/audit.js';
import { parseBody, plainText } from '../core/body.js';
import type { Bulletin } from '../core/bulletins.js';
import { CATEGORIES, isCategory } from '../core/compose.js';
import { mediaInfo } from '../core/media.js';
import type { BulletinBody, OutletName } from '../core/outlets.js';
import { gulpease } from '../core/readability.js';
import { targetLists } from '../core/versions.js';
import type { Db } from '../db/client.js';
import { withCategoryHeader } from './format.js';
import { choosable, cloudLines, outletFacts } from './preview-outlets.js';
import { type PreviewFacts, unknownPerson } from './texts.js';

/**
 * The configured SEND_WINDOW (the preview's "Invio:" line names it) and the outlets staff can
 * choose ("Canali" appears when there is more than WhatsApp 1:1).
 */
export type PreviewOptions = {
  sendWindow: { startMinute: number; endMinute: number };
  outlets?: readonly OutletName[] | undefined;
  /** With WA_TRANSPORT=cloud: the preview adds the template count, warnings and the cost. */
  whatsappCloud?: CloudConfig | undefined;
  publicBaseUrl?: string | undefined;
};

export type PreviewMedia = { kind: 'image' | 'video' | 'document'; fileId: string };

type Named = { name: string; at: Date };

/** The latest register entries of this bulletin for `actions`, newest first, with the name recorded. */
async function latest(db: Db, bulletinId: number, actions: AuditAction[]) {
  const row = await latestAuditEntry(db, bulletinId, actions);
  if (!row) return undefined;
  const name = (row.detail as { name?: unknown }).name;
  return { ...row, name: typeof name === 'string' ? name : unknownPerson() };
}

/** What the preview shows of the bulletin: its body under the category header. */
export const shownBody = (bulletin: Bulletin): BulletinBody =>
  withCategoryHeader(parseBody(bulletin.body), bulletin.category);

/** Everything the preview shows of a bulletin, read from the database, and the file it carries. */
export async function previewFacts(db: Db, bulletin: Bulletin, options: PreviewOptions) {
  const shown = shownBody(bulletin);
  const text = shown.text;
  const media = await mediaInfo(db, bulletin.mediaId);
  const drafted = await latest(db, bulletin.id, ['draft']);
  const changed = await latest(db, bulletin.id, ['version']);
  const decided = await latest(db, bulletin.id, ['approve', 'reject', 'withdraw']);
  const lastEntry = await latest(db, bulletin.id, ['version', 'approve', 'reject', 'withdraw', 'schedule']);
  const decision: Named | undefined = decided ? { name: decided.name, at: decided.at } : undefined;
  const facts: PreviewFacts = {
    bulletinId: bulletin.id,
    version: bulletin.version,
    state: bulletin.state,
    authorName: drafted?.name ?? unknownPerson(),
    editorName:
      changed && changed.actorId !== bulletin.authorId && changed.name !== drafted?.name
        ? changed.name
        : undefined,
    category: isCategory(bulletin.category) ? CATEGORIES[bulletin.category] : undefined,
    media: media ? { kind: media.kind, fileName: media.fileName } : undefined,
    lists: (await targetLists(db, bulletin.id)).filter((l) => l.chosen),
    ...(choosable(options) ? await outletFacts(db, bulletin, options.outlets ?? []) : {}),
    importedUnreached:
      bulletin.audience === 'imported_unreached'
        ? await audienceSize(db, bulletin.id, bulletin.audience)
        : undefined,
    urgent: bulletin.urgent,
    sendAt: bulletin.sendAt,
    finishedAt: bulletin.finishedAt,
    sendWindow: options.sendWindow,
    decision,
    rejectReason: bulletin.rejectReason,
    approvalVoided:
      lastEntry?.action === 'version' &&
      (lastEntry.detail as { approvalVoided?: unknown }).approvalVoided === true,
    gulpease: gulpease(plainText(parseBody(bulletin.body))),
    text,
    cloud: await cloudLines(db, bulletin, text, media !== undefined, options),
  };
  const shownMedia: PreviewMedia | undefined = media?.telegramFileId
    ? { kind: media.kind, fileId: media.telegramFileId }
    : undefined;
  return { facts, media: shownMedia, shown };
}

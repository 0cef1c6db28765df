import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bulletinLists, bulletins, bulletinVersions, lists } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { bodyLength, isEmptyBody, normaliseBody, parseBody, plainBody, plainText } from './body.js';
import { bulletinOutlets } from './bulletin-outlets.js';
import { type Bulletin, bulletinTargets, getBulletin, MAX_BULLETIN_LENGTH } from './bulletins.js';
import type { Category } from './compose.js';
import { DomainError } from './errors.js';
import { mediaInfo, type NewMedia, storeMedia } from './media.js';
import type { BulletinBody } from './outlets.js';
import { requireRole } from './staff.js';
import { bodyVersionHash, CURRENT_HASH_SCHEME } from './version-hash.js';

type Actor = { actorId: number; adminIds: readonly number[]; actorName?: string };

/** Pending, or approved and not yet started: what citizens will read can still change. */
function editable(bulletin: Bulletin): boolean {
  return bulletin.state === 'pending' || (bulletin.state === 'approved' && bulletin.startedAt === null);
}

export type Revision = { bulletin: Bulletin; previous: Bulletin; approvalVoided: boolean };

/**
 * Makes the next version of a bulletin from its current one with `change` applied: a new
 * bulletin_versions row with the lists it targets now and its hash, and any approval void (the
 * bulletin is pending again), because an approval is bound to the version the approver saw. The
 * update is conditional on the version read, so two changes at once yield one new version and a
 * refusal.
 */
export async function revise(
  tx: Queryable,
  previous: Bulletin,
  actor: Actor,
  change: { body?: BulletinBody; mediaId?: number; mediaSha256?: string; category?: Category | null },
  what: 'text' | 'media' | 'category' | 'lists' | 'outlets',
): Promise<Revision> {
  const body = change.body ?? parseBody(previous.body);
  const text = plainText(body);
  const mediaId = change.mediaId ?? previous.mediaId;
  const category = change.category === undefined ? previous.category : change.category;
  const mediaSha256 = change.mediaSha256 ?? (await mediaInfo(tx, mediaId))?.sha256 ?? null;
  const version = previous.version + 1;
  const targets = await bulletinTargets(tx, previous.id);
  const outlets = await bulletinOutlets(tx, previous.id);
  const hash = bodyVersionHash({ body, category, mediaSha256, lists: targets.slugs, outlets });
  const [bulletin] = await tx
    .update(bulletins)
    .set({
      text,
      body,
      mediaId,
      category,
      version,
      state: 'pending',
      approvedVersion: null,
      approvedHash: null,
      decidedBy: null,
      decidedAt: null,
    })
    .where(
      and(
        eq(bulletins.id, previous.id),
        eq(bulletins.version, previous.version),
        or(eq(bulletins.state, 'pending'), and(eq(bulletins.state, 'approved'), isNull(bulletins.startedAt))),
      ),
    )
    .returning();
  if (!bulletin) {
    // Someone else changed it first: say whether it can still change (from the newer preview).
    const now = await getBulletin(tx, previous.id);
    throw new DomainError(editable(now) ? 'draft_outdated' : 'bulletin_not_editable');
  }
  await tx.insert(bulletinVersions).values({
    bulletinId: bulletin.id,
    version,
    text,
    body,
    hashScheme: CURRENT_HASH_SCHEME,
    mediaId,
    category,
    listIds: targets.ids,
    outlets,
    hash,
    authorId: actor.actorId,
  });
  const approvalVoided = previous.state === 'approved';
  await recordAudit(tx, {
    actorId: actor.actorId,
    action: 'version',
    bulletinId: bulletin.id,
    version,
    hash,
    detail: { change: what, approvalVoided, ...(actor.actorName ? { name: actor.actorName } : {}) },
  });
  return { bulletin, previous, approvalVoided };
}

/**
 * A redattore or above gives a bulletin a new body (text with its formatting) and/or media while
 * it can still change (pending, or approved but not started: then the approval is void). Media
 * without text keeps the body. `text` is a body without formatting.
 */
export async function addVersion(
  db: Db,
  input: Actor & { bulletinId: number; text?: string; body?: BulletinBody; media?: NewMedia },
): Promise<Revision> {
  const given = input.body ?? (input.text === undefined ? undefined : plainBody(input.text));
  const body = given && !isEmptyBody(given) ? normaliseBody(given) : undefined;
  if (!body && !input.media) throw new DomainError('empty_text');
  if (body && bodyLength(body) > MAX_BULLETIN_LENGTH) throw new DomainError('text_too_long');
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'redattore');
    const previous = await getBulletin(tx, input.bulletinId);
    if (!editable(previous)) throw new DomainError('bulletin_not_editable');
    const stored = input.media ? await storeMedia(tx, input.media) : undefined;
    return revise(
      tx,
      previous,
      input,
      {
        ...(body ? { body } : {}),
        ...(stored ? { mediaId: stored.id, mediaSha256: stored.sha256 } : {}),
      },
      stored ? 'media' : 'text',
    );
  });
}

/** Reads the bulletin for a picker press: a redattore or above, the bulletin pending, the preview current. */
export async function pendingDraft(
  tx: Queryable,
  input: Actor & { bulletinId: number; version: number | undefined },
) {
  await requireRole(tx, input.actorId, input.adminIds, 'redattore');
  const bulletin = await getBulletin(tx, input.bulletinId);
  if (bulletin.state !== 'pending') throw new DomainError('bulletin_not_editable');
  if (input.version !== bulletin.version) throw new DomainError('draft_outdated');
  return bulletin;
}

/** Sets (or clears) the category of a pending bulletin: its WhatsApp header changes, so a new version. */
export async function setCategory(
  db: Db,
  input: Actor & { bulletinId: number; version: number | undefined; category: Category | null },
): Promise<Revision> {
  return db.transaction(async (tx) => {
    const previous = await pendingDraft(tx, input);
    return revise(tx, previous, input, { category: input.category }, 'category');
  });
}

/**
 * Adds or removes one active list from a pending bulletin's recipients; at least one stays. Who
 * receives it is part of what an approver approves, so this makes a new version (its hash covers
 * the lists); the register also names the list changed.
 */
export async function toggleTargetList(
  db: Db,
  input: Actor & { bulletinId: number; version: number | undefined; listId: number },
): Promise<Revision> {
  return db.transaction(async (tx) => {
    // Locks the bulletin row first so two toggles at once cannot both remove "the other" list.
    await tx.execute(sql`SELECT 1 FROM bulletins WHERE id = ${input.bulletinId} FOR UPDATE`);
    const bulletin = await pendingDraft(tx, input);
    const [list] = await tx
      .select({ slug: lists.slug })
      .from(lists)
      .where(and(eq(lists.id, input.listId), isNull(lists.archivedAt)));
    if (!list) throw new DomainError('list_not_found');
    const removed = await tx
      .delete(bulletinLists)
      .where(and(eq(bulletinLists.bulletinId, bulletin.id), eq(bulletinLists.listId, input.listId)))
      .returning();
    if (removed.length > 0) {
      const [left] = await tx
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(bulletinLists)
        .where(eq(bulletinLists.bulletinId, bulletin.id));
      if ((left?.n ?? 0) === 0) throw new DomainError('last_target_list');
    } else {
      await tx.insert(bulletinLists).values({ bulletinId: bulletin.id, listId: input.listId });
    }
    const revision = await revise(tx, bulletin, input, {}, 'lists');
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'list_change',
      bulletinId: bulletin.id,
      version: revision.bulletin.version,
      detail: { list: list.slug, change: removed.length > 0 ? 'target_remove' : 'target_add' },
    });
    return revision;
  });
}

export type TargetList = { id: number; name: string; members: number; chosen: boolean };

/**
 * The lists a bulletin can go to: every active list, and any archived one it still targets, with
 * their active subscribers; the default first.
 */
export async function targetLists(db: Queryable, bulletinId: number): Promise<TargetList[]> {
  const chosen = sql<boolean>`exists (select 1 from bulletin_lists bl where bl.bulletin_id = ${bulletinId} and bl.list_id = ${lists.id})`;
  return db
    .select({
      id: lists.id,
      name: lists.name,
      members:
        sql<number>`(select count(*) from subscriptions s where s.list_id = ${lists.id} and s.left_at is null)`.mapWith(
          Number,
        ),
      chosen: chosen.mapWith(Boolean),
    })
    .from(lists)
    .where(or(isNull(lists.archivedAt), chosen))
    .orderBy(desc(lists.isDefault), asc(lists.name));
}

/** The bulletin whose current preview is this Telegram message, if any. */
export async function bulletinWithPreview(db: Queryable, messageId: number): Promise<Bulletin | undefined> {
  const [row] = await db.select().from(bulletins).where(eq(bulletins.previewMessageId, messageId));
  return row;
}

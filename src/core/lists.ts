import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { lists } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { DomainError } from './errors.js';
import { requireRole } from './staff.js';

export type ListInfo = { slug: string; name: string; description: string; isDefault: boolean };

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The one-word name citizens write after "Iscrizione": lower case, no accents, words joined by '-'. */
export function slugFor(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** Lists a citizen can join (not archived), the default first. */
export async function joinableLists(db: Queryable): Promise<ListInfo[]> {
  return db
    .select({
      slug: lists.slug,
      name: lists.name,
      description: lists.description,
      isDefault: lists.isDefault,
    })
    .from(lists)
    .where(isNull(lists.archivedAt))
    .orderBy(desc(lists.isDefault), asc(lists.slug));
}

type Actor = { actorId: number; adminIds: readonly number[] };

async function changeList(
  db: Db,
  actor: Actor,
  slug: string,
  change: Partial<typeof lists.$inferInsert>,
  what: string,
): Promise<ListInfo> {
  return db.transaction(async (tx) => {
    await requireRole(tx, actor.actorId, actor.adminIds, 'amministratore');
    const [row] = await tx
      .update(lists)
      .set(change)
      .where(and(eq(lists.slug, slug), isNull(lists.archivedAt)))
      .returning();
    if (!row) throw new DomainError('list_not_found');
    await recordAudit(tx, {
      actorId: actor.actorId,
      action: 'list_change',
      detail: { list: slug, change: what },
    });
    return { slug: row.slug, name: row.name, description: row.description, isDefault: row.isDefault };
  });
}

/** An amministratore creates a list; citizens join it with "Iscrizione <slug>". */
export async function createList(
  db: Db,
  input: Actor & { name: string; description?: string },
): Promise<ListInfo> {
  const slug = slugFor(input.name);
  if (!SLUG.test(slug)) throw new DomainError('invalid_list_name');
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const [row] = await tx
      .insert(lists)
      .values({ slug, name: input.name.trim(), description: input.description?.trim() ?? '' })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new DomainError('list_exists');
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'list_change',
      detail: { list: slug, change: 'create' },
    });
    return { slug: row.slug, name: row.name, description: row.description, isDefault: row.isDefault };
  });
}

/** Renames a list as staff and citizens read it; the slug citizens write stays. */
export function renameList(db: Db, input: Actor & { slug: string; name: string }): Promise<ListInfo> {
  if (input.name.trim() === '') throw new DomainError('invalid_list_name');
  return changeList(db, input, input.slug, { name: input.name.trim() }, 'rename');
}

/** Sets the one-line description citizens read in answer to "LISTE". */
export function describeList(
  db: Db,
  input: Actor & { slug: string; description: string },
): Promise<ListInfo> {
  return changeList(db, input, input.slug, { description: input.description.trim() }, 'describe');
}

/** Archives a list: nobody can join it any more; the default list cannot be archived. */
export async function archiveList(db: Db, input: Actor & { slug: string }): Promise<ListInfo> {
  const [row] = await db.select({ isDefault: lists.isDefault }).from(lists).where(eq(lists.slug, input.slug));
  if (row?.isDefault) throw new DomainError('default_list');
  return changeList(db, input, input.slug, { archivedAt: new Date() }, 'archive');
}

/** The joinable lists with how many people are on each, for staff. */
export async function listsWithMembers(db: Queryable): Promise<(ListInfo & { members: number })[]> {
  const rows = await db
    .select({
      slug: lists.slug,
      name: lists.name,
      description: lists.description,
      isDefault: lists.isDefault,
      members:
        sql<number>`(select count(*) from subscriptions s where s.list_id = ${lists.id} and s.left_at is null)`.mapWith(
          Number,
        ),
    })
    .from(lists)
    .where(isNull(lists.archivedAt))
    .orderBy(desc(lists.isDefault), asc(lists.slug));
  return rows;
}

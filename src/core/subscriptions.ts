import { and, count, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { deliveries, lists, subscribers, subscriptionEvents, subscriptions } from '../db/schema.js';
import { rememberErased } from './erased-numbers.js';
import { forgetPersonKeys } from './person-keys.js';

/** Who wrote: a phone jid, a LID, or both (normalised by the adapter). */
export type CitizenAddress = { phoneJid?: string | undefined; lid?: string | undefined };

/** Rows of the person writing from `address`: either address matches (until the two are merged). */
export function matchAddress(address: CitizenAddress) {
  const conditions = [];
  if (address.phoneJid) conditions.push(eq(subscribers.phoneJid, address.phoneJid));
  if (address.lid) conditions.push(eq(subscribers.lid, address.lid));
  if (conditions.length === 0) throw new Error('a citizen address needs a phone jid or a LID');
  return or(...conditions)!;
}

async function findOrCreateSubscriber(tx: Queryable, address: CitizenAddress, pushName: string | undefined) {
  const found = await tx.select().from(subscribers).where(matchAddress(address)).orderBy(subscribers.id);
  const [first] = found;
  if (first) {
    // Learn the address we did not know yet, unless it already belongs to another row.
    if (found.length === 1 && ((!first.phoneJid && address.phoneJid) || (!first.lid && address.lid))) {
      await tx
        .update(subscribers)
        .set({ phoneJid: first.phoneJid ?? address.phoneJid, lid: first.lid ?? address.lid })
        .where(eq(subscribers.id, first.id));
    }
    return first.id;
  }
  const [created] = await tx
    .insert(subscribers)
    .values({ phoneJid: address.phoneJid ?? null, lid: address.lid ?? null, pushName: pushName ?? null })
    .onConflictDoNothing()
    .returning({ id: subscribers.id });
  if (created) return created.id;
  // A concurrent opt-in of the same person won the insert.
  const [winner] = await tx.select({ id: subscribers.id }).from(subscribers).where(matchAddress(address));
  if (!winner) throw new Error('subscriber vanished during opt-in');
  return winner.id;
}

/** The list a keyword names: its slug, or the default list when none is named. Archived lists are not found. */
async function findList(tx: Queryable, slug: string | undefined) {
  const [list] = await tx
    .select({ id: lists.id, slug: lists.slug, name: lists.name })
    .from(lists)
    .where(and(slug ? eq(lists.slug, slug) : eq(lists.isDefault, true), isNull(lists.archivedAt)));
  return list;
}

export type OptInResult =
  | { outcome: 'joined' | 'already'; list: { slug: string; name: string } }
  | { outcome: 'no_such_list' };

/**
 * "Iscrizione [lista]": joins the named list, or the default one, recording when, which message
 * asked and which privacy notice the welcome links. Joining twice is harmless. An anonymous join
 * event is kept for statistics.
 */
export async function optIn(
  db: Queryable,
  input: {
    address: CitizenAddress;
    pushName?: string | undefined;
    messageId: string;
    privacyVersion: string;
    list?: string | undefined;
  },
): Promise<OptInResult> {
  return db.transaction(async (tx) => {
    const list = await findList(tx, input.list);
    if (!list) {
      if (!input.list) throw new Error('the default list is missing: migrations not applied?');
      return { outcome: 'no_such_list' };
    }
    const subscriberId = await findOrCreateSubscriber(tx, input.address, input.pushName);
    const named = { slug: list.slug, name: list.name };
    const [active] = await tx
      .select({ source: subscriptions.source })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.subscriberId, subscriberId),
          eq(subscriptions.listId, list.id),
          isNull(subscriptions.leftAt),
        ),
      );
    if (active?.source === 'import') {
      // Someone imported who now writes "Iscrizione" has consented themselves: that is the record now.
      await tx
        .update(subscriptions)
        .set({
          source: 'keyword',
          importId: null,
          optInMessageId: input.messageId,
          privacyVersion: input.privacyVersion,
        })
        .where(and(eq(subscriptions.subscriberId, subscriberId), eq(subscriptions.listId, list.id)));
    }
    if (active) return { outcome: 'already', list: named };
    await tx
      .insert(subscriptions)
      .values({
        subscriberId,
        listId: list.id,
        optInMessageId: input.messageId,
        privacyVersion: input.privacyVersion,
      })
      .onConflictDoUpdate({
        target: [subscriptions.subscriberId, subscriptions.listId],
        set: {
          joinedAt: sql`now()`,
          leftAt: null,
          optInMessageId: input.messageId,
          privacyVersion: input.privacyVersion,
          source: 'keyword',
          importId: null,
        },
      });
    await tx.insert(subscriptionEvents).values({ listId: list.id, kind: 'join' });
    return { outcome: 'joined', list: named };
  });
}

export type OptOutResult =
  | { outcome: 'left'; erased: boolean; list?: { slug: string; name: string } }
  | { outcome: 'not_subscribed' }
  | { outcome: 'no_such_list' };

/**
 * "Cancella [lista]": leaves the named list, or every list, matched on either the phone jid or the
 * LID, and cancels the deliveries still waiting for that person. Someone left on no list is
 * erased: phone jid, LID and push name are wiped and only anonymous leave events remain.
 */
export async function optOut(
  db: Queryable,
  input: { address: CitizenAddress; list?: string | undefined },
): Promise<OptOutResult> {
  return db.transaction(async (tx) => {
    const list = input.list ? await findList(tx, input.list) : undefined;
    if (input.list && !list) return { outcome: 'no_such_list' };
    const people = await tx
      .select({ id: subscribers.id, phoneJid: subscribers.phoneJid, lid: subscribers.lid })
      .from(subscribers)
      .where(matchAddress(input.address));
    const ids = people.map((person) => person.id);
    if (ids.length === 0) return { outcome: 'not_subscribed' };
    const left = await tx
      .update(subscriptions)
      .set({ leftAt: sql`now()` })
      .where(
        and(
          inArray(subscriptions.subscriberId, ids),
          isNull(subscriptions.leftAt),
          list ? eq(subscriptions.listId, list.id) : undefined,
        ),
      )
      .returning({ listId: subscriptions.listId });
    if (left.length === 0) return { outcome: 'not_subscribed' };
    await tx
      .insert(subscriptionEvents)
      .values(left.map((l) => ({ listId: l.listId, kind: 'leave' as const })));
    const [still] = await tx
      .select({ n: count() })
      .from(subscriptions)
      .where(and(inArray(subscriptions.subscriberId, ids), isNull(subscriptions.leftAt)));
    const erased = (still?.n ?? 0) === 0;
    await cancelPending(tx, ids, erased ? undefined : list?.id);
    if (erased) await erase(tx, people, input.address);
    return { outcome: 'left', erased, ...(list ? { list: { slug: list.slug, name: list.name } } : {}) };
  });
}

/** Cancels what is still queued for these people: of one list's bulletins, or of all. */
async function cancelPending(tx: Queryable, ids: number[], listId: number | undefined) {
  const onlyList = listId
    ? sql`and ${deliveries.bulletinId} in (select bulletin_id from bulletin_lists where list_id = ${listId})
          and ${deliveries.bulletinId} not in (
            select bl.bulletin_id from bulletin_lists bl join subscriptions s on s.list_id = bl.list_id
            where s.subscriber_id in (${sql.join(ids, sql`, `)}) and s.left_at is null)`
    : sql``;
  await tx.execute(sql`
    UPDATE deliveries SET state = 'cancelled'
    WHERE subscriber_id in (${sql.join(ids, sql`, `)}) AND state = 'pending' ${onlyList}`);
}

/**
 * Forgets who these people were: addresses, name, memberships (with their consent records) and
 * Baileys' keys for them go (only a fingerprint of the number stays, so that no import signs them
 * up again); the subscriber row stays without any of it, so past bulletins' counts
 * hold. The reply budget keeps only keyed hashes, which it forgets after the cooldown (erasing them
 * here would let anyone reset their budget by writing "Cancella").
 */
async function erase(
  tx: Queryable,
  people: { id: number; phoneJid: string | null; lid: string | null }[],
  writer: CitizenAddress,
) {
  const jids = people.flatMap((p) => [p.phoneJid, p.lid]).filter((jid): jid is string => Boolean(jid));
  await forgetPersonKeys(tx, [...jids, writer.phoneJid, writer.lid]);
  await rememberErased(
    tx,
    people.flatMap((p) => (p.phoneJid ? [p.phoneJid] : [])),
  );
  await tx.delete(subscriptions).where(
    inArray(
      subscriptions.subscriberId,
      people.map((p) => p.id),
    ),
  );
  // An error text may quote the address it failed on.
  await tx
    .update(deliveries)
    .set({ lastError: null })
    .where(
      inArray(
        deliveries.subscriberId,
        people.map((p) => p.id),
      ),
    );
  await tx
    .update(subscribers)
    .set({ phoneJid: null, lid: null, pushName: null, erasedAt: sql`now()` })
    .where(
      inArray(
        subscribers.id,
        people.map((p) => p.id),
      ),
    );
}

/** The number of people subscribed to at least one list. */
export async function countActiveSubscribers(db: Queryable): Promise<number> {
  const [row] = await db
    .select({ n: count(sql`distinct ${subscriptions.subscriberId}`) })
    .from(subscriptions)
    .where(isNull(subscriptions.leftAt));
  return row?.n ?? 0;
}

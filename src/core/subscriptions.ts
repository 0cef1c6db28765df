import { and, count, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { deliveries, lists, subscribers, subscriptions } from '../db/schema.js';

/** Who wrote: a phone jid, a LID, or both (normalised by the adapter). */
export type CitizenAddress = { phoneJid?: string | undefined; lid?: string | undefined };

function matchAddress(address: CitizenAddress) {
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

/**
 * "Iscrizione": joins the default list, recording when and which message asked. Joining twice is
 * harmless; returns whether the person was already subscribed.
 */
export async function optIn(
  db: Db,
  input: {
    address: CitizenAddress;
    pushName?: string | undefined;
    messageId: string;
    privacyVersion: string;
  },
): Promise<{ alreadySubscribed: boolean }> {
  return db.transaction(async (tx) => {
    const subscriberId = await findOrCreateSubscriber(tx, input.address, input.pushName);
    const [defaultList] = await tx.select({ id: lists.id }).from(lists).where(eq(lists.isDefault, true));
    if (!defaultList) throw new Error('the default list is missing: migrations not applied?');
    const [active] = await tx
      .select({ listId: subscriptions.listId })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.subscriberId, subscriberId),
          eq(subscriptions.listId, defaultList.id),
          isNull(subscriptions.leftAt),
        ),
      );
    if (active) return { alreadySubscribed: true };
    await tx
      .insert(subscriptions)
      .values({
        subscriberId,
        listId: defaultList.id,
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
        },
      });
    return { alreadySubscribed: false };
  });
}

/**
 * "Cancella": leaves every list, matched on either the phone jid or the LID, and cancels the
 * deliveries still waiting for that person. Returns whether anything was active.
 */
export async function optOut(
  db: Db,
  input: { address: CitizenAddress },
): Promise<{ wasSubscribed: boolean }> {
  return db.transaction(async (tx) => {
    const people = await tx
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(matchAddress(input.address));
    const ids = people.map((person) => person.id);
    if (ids.length === 0) return { wasSubscribed: false };
    const left = await tx
      .update(subscriptions)
      .set({ leftAt: sql`now()` })
      .where(and(inArray(subscriptions.subscriberId, ids), isNull(subscriptions.leftAt)))
      .returning({ listId: subscriptions.listId });
    await tx
      .update(deliveries)
      .set({ state: 'cancelled' })
      .where(and(inArray(deliveries.subscriberId, ids), eq(deliveries.state, 'pending')));
    return { wasSubscribed: left.length > 0 };
  });
}

/** The number of people subscribed to at least one list. */
export async function countActiveSubscribers(db: Queryable): Promise<number> {
  const [row] = await db
    .select({ n: count(sql`distinct ${subscriptions.subscriberId}`) })
    .from(subscriptions)
    .where(isNull(subscriptions.leftAt));
  return row?.n ?? 0;
}

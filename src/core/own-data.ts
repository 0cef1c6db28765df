import { and, asc, count, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { deliveries, lists, subscribers, subscriptions } from '../db/schema.js';
import { displayNumber } from './phone-numbers.js';
import { type CitizenAddress, matchAddress } from './subscriptions.js';

/** A membership as its citizen is told about it. */
export type OwnMembership = {
  list: string;
  joinedAt: Date;
  source: 'keyword' | 'import';
  privacyVersion: string | null;
};

/** Everything held about the person writing from one address, and nothing about anyone else. */
export type OwnData = {
  /** Their number as stored ("+39 333 123 4567"); undefined when only WhatsApp's internal id is known. */
  number: string | undefined;
  lists: OwnMembership[];
  /** Bulletins sent to them in the last 30 days. */
  receivedLast30Days: number;
};

async function rowsOfSender(db: Queryable, address: CitizenAddress) {
  return db
    .select({ id: subscribers.id, phoneJid: subscribers.phoneJid })
    .from(subscribers)
    .where(matchAddress(address))
    .orderBy(asc(subscribers.id));
}

/**
 * "I MIEI DATI": what is held about the sender, found by the address WhatsApp gave the message
 * (never by anything written in it): their number, each list with since when, how they joined and
 * the privacy version accepted, and how many bulletins they were sent in the last 30 days.
 * Undefined when they are on no list.
 */
export async function ownData(db: Queryable, address: CitizenAddress): Promise<OwnData | undefined> {
  const people = await rowsOfSender(db, address);
  const ids = people.map((p) => p.id);
  if (ids.length === 0) return undefined;
  const memberships = await db
    .select({
      list: lists.name,
      joinedAt: subscriptions.joinedAt,
      source: subscriptions.source,
      privacyVersion: subscriptions.privacyVersion,
    })
    .from(subscriptions)
    .innerJoin(lists, eq(lists.id, subscriptions.listId))
    .where(and(inArray(subscriptions.subscriberId, ids), isNull(subscriptions.leftAt)))
    .orderBy(asc(subscriptions.joinedAt), asc(lists.name));
  if (memberships.length === 0) return undefined;
  const [sent] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        inArray(deliveries.subscriberId, ids),
        eq(deliveries.state, 'sent'),
        gte(deliveries.sentAt, sql`now() - interval '30 days'`),
      ),
    );
  const phoneJid = people.find((p) => p.phoneJid)?.phoneJid;
  return {
    number: phoneJid ? displayNumber(phoneJid) : undefined,
    lists: memberships,
    receivedLast30Days: sent?.n ?? 0,
  };
}

/** The slugs of the lists the sender is on, so "LISTE" can mark them. */
export async function memberListSlugs(db: Queryable, address: CitizenAddress): Promise<Set<string>> {
  const ids = (await rowsOfSender(db, address)).map((p) => p.id);
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ slug: lists.slug })
    .from(subscriptions)
    .innerJoin(lists, eq(lists.id, subscriptions.listId))
    .where(and(inArray(subscriptions.subscriberId, ids), isNull(subscriptions.leftAt)));
  return new Set(rows.map((r) => r.slug));
}

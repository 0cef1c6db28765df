import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { bulletins, lists } from './bulletins.js';
import { createdAt } from './columns.js';
import { importState, joinSource, replyState } from './enums.js';

// Citizens: subscribers, their memberships and joins, imports, and what they write and are answered.

/** A citizen; phone jid and LID each unique, either may be unknown, never both. */
export const subscribers = pgTable(
  'subscribers',
  {
    id: serial().primaryKey(),
    phoneJid: text().unique(),
    lid: text().unique(),
    pushName: text(),
    /** When `onWhatsApp` confirmed the phone number, before the first send to it. */
    waCheckedAt: timestamp({ withTimezone: true }),
    /** Set when the number turned out not to be on WhatsApp: never sent to again. */
    notOnWhatsappAt: timestamp({ withTimezone: true }),
    /** Set by "Cancella" from every list: addresses and push name are wiped, the row stays for counts. */
    erasedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'subscribers_some_address',
      sql`${t.phoneJid} is not null or ${t.lid} is not null or ${t.erasedAt} is not null`,
    ),
  ],
);

/** Anonymous join/leave events for statistics: they outlive the subscriber's erasure. */
export const subscriptionEvents = pgTable(
  'subscription_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    listId: integer()
      .notNull()
      .references(() => lists.id),
    kind: text({ enum: ['join', 'leave'] }).notNull(),
    at: createdAt(),
  },
  (t) => [index('subscription_events_at').on(t.at)],
);

/**
 * Numbers erased by "Cancella", kept only as a SHA-256 fingerprint (see core/erased-numbers.ts):
 * an import must not sign up again someone who asked to be forgotten.
 */
export const erasedNumbers = pgTable('erased_numbers', {
  numberHash: text().primaryKey(),
  erasedAt: createdAt(),
});

/**
 * Written by releases before the reply budget (an unsalted hash of the jid); no longer read, pruned
 * after the cooldown while an older process may still write it during a rolling deploy, to be
 * dropped by a later release.
 */
export const autoReplies = pgTable('auto_replies', {
  senderHash: text().primaryKey(),
  repliedAt: createdAt(),
});

/**
 * Every reply to a citizen, through one budget: owed rows are the sender's queue (replies before
 * bulletins, under the same pace, caps and pause); sent rows count against SEND_MAX_PER_HOUR and
 * SEND_MAX_PER_DAY. Who it was for is kept only as keyed hashes (secret `reply_salt`), which the
 * prune forgets after the cooldown; the address and text only until it is sent or dropped.
 */
export const replies = pgTable(
  'replies',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    /** HMAC of the sender's address: the per-sender budget. */
    senderKey: text(),
    /** HMAC of the sender's address and the reply's text: an identical reply is not repeated. */
    replyKey: text(),
    state: replyState().notNull().default('owed'),
    jid: text(),
    text: text(),
    createdAt: createdAt(),
    /** An owed reply not sent by then is dropped (REPLY_MAX_DELAY_MINUTES). */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('replies_owed').on(t.id).where(sql`${t.state} = 'owed'`),
    index('replies_sender').on(t.senderKey, t.createdAt),
    index('replies_reply').on(t.replyKey, t.createdAt),
    index('replies_sent_at').on(t.sentAt),
  ],
);

/**
 * An existing audience brought in from a file (vCard or CSV) by an amministratore. Until
 * "Importa" the file's valid numbers wait here (E.164 digits, keyed by the file's SHA-256 and the
 * list); they are dropped once imported, cancelled or expired. The row itself stays as the consent
 * record of every membership it created: who imported, when, from which file.
 */
export const imports = pgTable(
  'imports',
  {
    id: serial().primaryKey(),
    fileHash: text().notNull(),
    listId: integer()
      .notNull()
      .references(() => lists.id),
    state: importState().notNull().default('pending'),
    numbers: text().array(),
    /** What the summary showed: valid, invalid, duplicates, landlines, already subscribed. */
    counts: jsonb().notNull().default({}),
    requestedBy: bigint({ mode: 'number' }).notNull(),
    requestedAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    decidedBy: bigint({ mode: 'number' }),
    decidedAt: timestamp({ withTimezone: true }),
    /** Memberships this import created. */
    imported: integer().notNull().default(0),
    /** The transition notice drafted for this import (at most one). */
    noticeBulletinId: integer().references(() => bulletins.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('imports_pending_file').on(t.fileHash, t.listId).where(sql`${t.state} = 'pending'`),
    uniqueIndex('imports_done_file').on(t.fileHash, t.listId).where(sql`${t.state} = 'imported'`),
  ],
);

/** Membership of a subscriber in a list; active while leftAt is null. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    listId: integer()
      .notNull()
      .references(() => lists.id),
    joinedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp({ withTimezone: true }),
    optInMessageId: text(),
    privacyVersion: text(),
    /** The consent record: a keyword (optInMessageId, privacyVersion) or an import (importId). */
    source: joinSource().notNull().default('keyword'),
    importId: integer().references(() => imports.id),
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.listId] }),
    index('subscriptions_active').on(t.listId).where(sql`${t.leftAt} is null`),
  ],
);

/**
 * Inbound WhatsApp messages by id: written as soon as Baileys hands one over (it has already
 * acknowledged it to WhatsApp, which will not send it again), marked handled once answered. Until
 * then `pending` keeps what answering needs (addresses and the keyword read, never the text), so a
 * crash in between is answered after the restart; the id then makes `append` replays a no-op.
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    messageId: text().primaryKey(),
    /** Arrival order: leftovers are answered in it, so a person's "Cancella" stays after their "Iscrizione". */
    seq: bigserial({ mode: 'number' }).notNull(),
    pending: jsonb(),
    receivedAt: createdAt(),
    handledAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('inbound_messages_pending').on(t.receivedAt).where(sql`${t.handledAt} is null`),
    index('inbound_messages_unanswered').on(t.seq).where(sql`${t.handledAt} is null`),
  ],
);

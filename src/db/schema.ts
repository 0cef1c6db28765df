import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const staffRole = pgEnum('staff_role', ['redattore', 'approvatore', 'amministratore']);
export const bulletinState = pgEnum('bulletin_state', [
  'pending',
  'approved',
  'sending',
  'sent',
  'rejected',
  'withdrawn',
]);
export const deliveryState = pgEnum('delivery_state', [
  'pending',
  'in_flight',
  'sent',
  'failed',
  'cancelled',
]);

/** Telegram users holding a role; the admins named in ADMIN_TELEGRAM_IDS need no row. */
export const staffMembers = pgTable('staff_members', {
  telegramId: bigint({ mode: 'number' }).primaryKey(),
  role: staffRole().notNull(),
  grantedBy: bigint({ mode: 'number' }).notNull(),
  updatedAt: createdAt(),
});

/** Our own broadcast lists: WhatsApp's do not exist for a linked device. */
export const lists = pgTable(
  'lists',
  {
    id: serial().primaryKey(),
    slug: text().notNull().unique(),
    name: text().notNull(),
    description: text().notNull().default(''),
    isDefault: boolean().notNull().default(false),
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lists_one_default').on(t.isDefault).where(sql`${t.isDefault}`)],
);

/** A citizen; phone jid and LID each unique, either may be unknown, never both. */
export const subscribers = pgTable(
  'subscribers',
  {
    id: serial().primaryKey(),
    phoneJid: text().unique(),
    lid: text().unique(),
    pushName: text(),
    createdAt: createdAt(),
  },
  (t) => [check('subscribers_some_address', sql`${t.phoneJid} is not null or ${t.lid} is not null`)],
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
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.listId] }),
    index('subscriptions_active').on(t.listId).where(sql`${t.leftAt} is null`),
  ],
);

export const bulletins = pgTable('bulletins', {
  id: serial().primaryKey(),
  state: bulletinState().notNull().default('pending'),
  text: text().notNull(),
  authorId: bigint({ mode: 'number' }).notNull(),
  decidedBy: bigint({ mode: 'number' }),
  decidedAt: timestamp({ withTimezone: true }),
  previewMessageId: integer(),
  createdAt: createdAt(),
});

export const bulletinLists = pgTable(
  'bulletin_lists',
  {
    bulletinId: integer()
      .notNull()
      .references(() => bulletins.id, { onDelete: 'cascade' }),
    listId: integer()
      .notNull()
      .references(() => lists.id),
  },
  (t) => [primaryKey({ columns: [t.bulletinId, t.listId] })],
);

/** The outbox: one row per (bulletin, subscriber), drained by the bridge's sender. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    bulletinId: integer()
      .notNull()
      .references(() => bulletins.id, { onDelete: 'cascade' }),
    subscriberId: integer()
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    state: deliveryState().notNull().default('pending'),
    messageId: text().notNull(),
    attempts: integer().notNull().default(0),
    availableAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseToken: uuid(),
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    sentAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deliveries_bulletin_subscriber').on(t.bulletinId, t.subscriberId),
    uniqueIndex('deliveries_message_id').on(t.messageId),
    index('deliveries_claimable').on(t.id).where(sql`${t.state} in ('pending', 'in_flight')`),
  ],
);

/** Messages from the bridge to the staff group (the database is the only bridge). */
export const staffNotices = pgTable(
  'staff_notices',
  {
    id: serial().primaryKey(),
    kind: text().notNull(),
    payload: jsonb().notNull(),
    postedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('staff_notices_unposted').on(t.id).where(sql`${t.postedAt} is null`)],
);

/** Baileys login state: creds and every signal key type, serialised with BufferJSON. */
export const waAuth = pgTable(
  'wa_auth',
  {
    type: text().notNull(),
    id: text().notNull(),
    value: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.type, t.id] })],
);

/** Inbound WhatsApp message ids already handled, so `append` replays and restarts answer once. */
export const inboundMessages = pgTable('inbound_messages', {
  messageId: text().primaryKey(),
  handledAt: createdAt(),
});

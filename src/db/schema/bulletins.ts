import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { BulletinBody } from '../../core/outlets.js';
import { bytea, createdAt } from './columns.js';
import { bulletinAudience, bulletinState, hashScheme } from './enums.js';

// Bulletins: their versions, media and the lists they go to.

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

/** A photo, video or document attached to a bulletin, kept here so any process can send it. */
export const media = pgTable('media', {
  id: serial().primaryKey(),
  kind: text({ enum: ['image', 'video', 'document'] }).notNull(),
  mimeType: text().notNull(),
  fileName: text(),
  size: integer().notNull(),
  sha256: text().notNull(),
  data: bytea().notNull(),
  telegramFileId: text(),
  /** The bytes were dropped (a rejected or withdrawn draft, past retention); the rest stays for history. */
  droppedAt: timestamp({ withTimezone: true }),
  createdAt: createdAt(),
});

/**
 * A bulletin; text, media and category are its current version (WhatsApp formatting), the history
 * is in bulletin_versions. `sendAt` is when it becomes due (null: as soon as it is approved).
 */
export const bulletins = pgTable('bulletins', {
  id: serial().primaryKey(),
  state: bulletinState().notNull().default('pending'),
  /** The body's plain text (body.text), for listings; what is sent is rendered from `body`. */
  text: text().notNull(),
  /** What staff wrote, as written (text and entities): each outlet renders it. */
  body: jsonb().$type<BulletinBody>().notNull(),
  mediaId: integer().references(() => media.id),
  category: text(),
  version: integer().notNull().default(1),
  authorId: bigint({ mode: 'number' }).notNull(),
  decidedBy: bigint({ mode: 'number' }),
  decidedAt: timestamp({ withTimezone: true }),
  approvedVersion: integer(),
  /** SHA-256 of the text and media the approver saw. */
  approvedHash: text(),
  rejectReason: text(),
  urgent: boolean().notNull().default(false),
  sendAt: timestamp({ withTimezone: true }),
  /** Set while an approver has paused this bulletin's sending. */
  pausedAt: timestamp({ withTimezone: true }),
  startedAt: timestamp({ withTimezone: true }),
  finishedAt: timestamp({ withTimezone: true }),
  /** "Ritira": deletion for everyone requested, and how many messages it deleted. */
  revokeRequestedAt: timestamp({ withTimezone: true }),
  revokedCount: integer().notNull().default(0),
  revokeDoneAt: timestamp({ withTimezone: true }),
  previewMessageId: integer(),
  statusMessageId: integer(),
  audience: bulletinAudience().notNull().default('all'),
  /** Receipt counts: they stay when the per-recipient receipt rows are pruned. */
  serverAcks: integer().notNull().default(0),
  delivered: integer().notNull().default(0),
  read: integer().notNull().default(0),
  createdAt: createdAt(),
});

/** Every version of every bulletin, as drafted; the hash binds an approval to what was seen. */
export const bulletinVersions = pgTable(
  'bulletin_versions',
  {
    bulletinId: integer()
      .notNull()
      .references(() => bulletins.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    /** The body's plain text (body.text). */
    text: text().notNull(),
    /** What staff wrote, as written (text and entities). */
    body: jsonb().$type<BulletinBody>().notNull(),
    /** What `hash` was computed from: legacy versions the WhatsApp text, newer ones the body. */
    hashScheme: hashScheme().notNull(),
    mediaId: integer().references(() => media.id),
    category: text(),
    /** The lists it goes to (the hash covers them); null for versions made before lists were kept. */
    listIds: integer().array(),
    /** The outlets it goes out through (migration 0017 set 'whatsapp' on every earlier version). */
    outlets: text().array(),
    hash: text().notNull(),
    authorId: bigint({ mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.bulletinId, t.version] })],
);

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

import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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
import type { BulletinBody } from '../../core/outlets.js';
import { bulletins } from './bulletins.js';
import { createdAt } from './columns.js';
import { channelRequestKind, channelRequestState, outletName, publicationState } from './enums.js';

// The broadcast outlets: which a bulletin goes through, their posts, health, the archive, the WhatsApp Channel.

/** The outlets a bulletin goes out through now, as bulletin_lists holds its lists. */
export const bulletinOutlets = pgTable(
  'bulletin_outlets',
  {
    bulletinId: integer()
      .notNull()
      .references(() => bulletins.id, { onDelete: 'cascade' }),
    outlet: outletName().notNull(),
  },
  (t) => [primaryKey({ columns: [t.bulletinId, t.outlet] })],
);

/**
 * One post of a bulletin on one broadcast outlet (Channel, Telegram channel, archive): queued when
 * the bulletin starts, claimed by the engine of the process that runs the outlet (state posting,
 * under a lease), recorded in the same row. `failure` is a neutral OutletFailure, `lastError` a
 * short detail without personal data.
 */
export const publications = pgTable(
  'publications',
  {
    id: serial().primaryKey(),
    bulletinId: integer()
      .notNull()
      .references(() => bulletins.id, { onDelete: 'cascade' }),
    outlet: outletName().notNull(),
    state: publicationState().notNull().default('pending'),
    externalId: text(),
    attempts: integer().notNull().default(0),
    failure: text(),
    lastError: text(),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** While posting: past it, the engine that claimed it is presumed dead. */
    leaseUntil: timestamp({ withTimezone: true }),
    postedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    /** What the outlet said about a post that went out differently (text instead of media). */
    note: text(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('publications_bulletin_outlet').on(t.bulletinId, t.outlet),
    index('publications_open').on(t.nextAttemptAt).where(sql`${t.state} in ('pending', 'posting')`),
  ],
);

/** Each broadcast outlet's last health check, written by the engine that runs it (for /stato). */
export const outletHealth = pgTable('outlet_health', {
  outlet: outletName().primaryKey(),
  ok: boolean().notNull(),
  detail: text().notNull(),
  checkedAt: createdAt(),
});

/**
 * The public archive (the 'archive' outlet): one row per bulletin published on the site, as
 * approved. Nothing about people: no author, no approver, no recipients. The media's bytes stay in
 * `media` (found by their SHA-256); `withdrawnAt` is Ritira (the page says so, the feeds drop it).
 */
export const archiveEntries = pgTable(
  'archive_entries',
  {
    /** Also the public number in `/bollettini/<n>`. */
    bulletinId: integer()
      .primaryKey()
      .references(() => bulletins.id),
    version: integer().notNull(),
    code: text().notNull(),
    category: text(),
    urgent: boolean().notNull().default(false),
    body: jsonb().$type<BulletinBody>().notNull(),
    approvedAt: timestamp({ withTimezone: true }).notNull(),
    publishedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    mediaKind: text({ enum: ['image', 'video', 'document'] }),
    mediaMimeType: text(),
    mediaFileName: text(),
    mediaSha256: text(),
    mediaSize: integer(),
    withdrawnAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('archive_entries_published').on(t.publishedAt.desc()).where(sql`${t.withdrawnAt} is null`),
    index('archive_entries_media').on(t.mediaSha256).where(sql`${t.mediaSha256} is not null`),
  ],
);

/**
 * What staff ask of the WhatsApp Channel ("/canale crea", "/canale collega", "/canale"): the bot
 * writes the request, the bridge (which holds the socket) answers it, the bot edits its reply.
 */
export const channelRequests = pgTable(
  'channel_requests',
  {
    id: serial().primaryKey(),
    kind: channelRequestKind().notNull(),
    /** The Channel's name (create) or its invite code (adopt). */
    argument: text(),
    actorId: bigint({ mode: 'number' }).notNull(),
    state: channelRequestState().notNull().default('pending'),
    /** Why it failed, as a code the bot puts into words. */
    error: text(),
    /** The staff group message the bot edits with the answer. */
    staffChatId: bigint({ mode: 'number' }),
    staffMessageId: integer(),
    answeredAt: timestamp({ withTimezone: true }),
    repliedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('channel_requests_pending').on(t.id).where(sql`${t.state} = 'pending'`)],
);

/** The Comune's WhatsApp Channel (one), as the bridge last read it from WhatsApp. */
export const whatsappChannel = pgTable(
  'whatsapp_channel',
  {
    id: integer().primaryKey().default(1),
    /** `<id>@newsletter`. */
    jid: text().notNull(),
    name: text().notNull(),
    /** The code of https://whatsapp.com/channel/<code>. */
    inviteCode: text(),
    /** The linked number's role in it: OWNER, ADMIN (both may post), SUBSCRIBER, GUEST. */
    role: text().notNull(),
    followers: integer(),
    updatedAt: createdAt(),
  },
  (t) => [check('whatsapp_channel_one_row', sql`${t.id} = 1`)],
);

import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { bulletins } from './bulletins.js';
import { createdAt } from './columns.js';
import { deliveries } from './deliveries.js';
import { subscribers } from './subscribers.js';

// The WhatsApp Cloud API transport.

/**
 * WhatsApp Cloud API webhook bodies (WA_TRANSPORT=cloud), stored raw once their signature is
 * checked and deleted once processed: Meta retries a slow answer, so storing comes first.
 */
export const cloudEvents = pgTable('cloud_events', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  body: text().notNull(),
  receivedAt: createdAt(),
});

/**
 * A delivery handed to the Cloud API: in flight from `calledAt` (written before the call), its
 * wamid after the answer or from a status webhook; the highest status seen (2 sent, 3 delivered,
 * 4 read). `template`: sent as the template outside the 24-hour window (counts against the tier).
 */
export const cloudSends = pgTable(
  'cloud_sends',
  {
    deliveryId: bigint({ mode: 'number' })
      .primaryKey()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    calledAt: createdAt(),
    calls: integer().notNull().default(1),
    template: boolean().notNull().default(false),
    wamid: text(),
    status: smallint().notNull().default(0),
    statusAt: timestamp({ withTimezone: true }),
    errorCode: integer(),
    /** Sent again after a crash with no answer and no status: the recipient may have it twice. */
    possibleDuplicate: boolean().notNull().default(false),
  },
  (t) => [uniqueIndex('cloud_sends_wamid').on(t.wamid), index('cloud_sends_called_at').on(t.calledAt)],
);

/** When a subscriber last wrote to us (Cloud API): inside 24 h free-form messages may go. */
export const cloudWindows = pgTable('cloud_windows', {
  subscriberId: integer()
    .primaryKey()
    .references(() => subscribers.id, { onDelete: 'cascade' }),
  lastInboundAt: timestamp({ withTimezone: true }).notNull(),
});

/** A bulletin's media as uploaded once to the Cloud API (media ids live 30 days). */
export const cloudMedia = pgTable('cloud_media', {
  bulletinId: integer()
    .primaryKey()
    .references(() => bulletins.id, { onDelete: 'cascade' }),
  mediaId: text().notNull(),
  uploadedAt: createdAt(),
});

/**
 * What Meta last told about the Cloud API number by webhook (phone_number_quality_update): the
 * daily messaging limit of its tier, which the sender keeps under alongside WA_CLOUD_DAILY_LIMIT.
 * One row (id 1), absent until Meta's first word.
 */
export const cloudAccount = pgTable(
  'cloud_account',
  {
    id: smallint().primaryKey(),
    /** People a day Meta allows; null for TIER_UNLIMITED or a tier not set yet. */
    messagingLimit: integer(),
    /** The tier as Meta named it (TIER_250, TIER_2K, TIER_UNLIMITED...). */
    tier: text().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('cloud_account_one_row', sql`${t.id} = 1`)],
);

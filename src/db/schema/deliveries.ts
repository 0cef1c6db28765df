import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { bulletins } from './bulletins.js';
import { createdAt } from './columns.js';
import { deliveryState } from './enums.js';

// The outbox of the WhatsApp 1:1 sends and what is left of it once compacted.

/** The outbox: one row per (bulletin, subscriber), drained by the bridge's sender. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    // No foreign keys (migration 0018): a trigger deletes a deleted bulletin's or subscriber's rows.
    bulletinId: integer().notNull(),
    subscriberId: integer().notNull(),
    state: deliveryState().notNull().default('pending'),
    /** Only rows queued before migration 0018; newer ids are derived (core/message-id.ts). */
    messageId: text(),
    /** Copied from the bulletin at fan-out: urgent bulletins are claimed first. */
    priority: smallint().notNull().default(0),
    attempts: integer().notNull().default(0),
    availableAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseToken: uuid(),
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    /** Why a failed delivery failed for good: not_on_whatsapp, invalid_number, attempts_exhausted. */
    failure: text(),
    sentAt: timestamp({ withTimezone: true }),
    /** "Ritira" deleted this message for everyone. */
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deliveries_bulletin_subscriber').on(t.bulletinId, t.subscriberId),
    uniqueIndex('deliveries_message_id').on(t.messageId).where(sql`${t.messageId} is not null`),
    // Claiming only sets the lease, no indexed column, so with the table's spare room (fillfactor
    // 50, set in migration 0005) it is a HOT update; only the mark of a send rewrites the indexes.
    index('deliveries_claimable').on(t.bulletinId, t.id).where(sql`${t.state} = 'pending'`),
    index('deliveries_sent_at').on(t.sentAt).where(sql`${t.sentAt} is not null`),
  ],
);

/**
 * What is left of a finished bulletin's delivery rows once compacted (after
 * DELIVERY_RETENTION_DAYS): the counts staff see, kept forever while the per-recipient rows go.
 */
export const deliveryCounts = pgTable('delivery_counts', {
  bulletinId: integer()
    .primaryKey()
    .references(() => bulletins.id, { onDelete: 'cascade' }),
  total: integer().notNull().default(0),
  sent: integer().notNull().default(0),
  /** Failed for good, except not on WhatsApp (counted apart, as the status shows them). */
  failed: integer().notNull().default(0),
  notOnWhatsapp: integer().notNull().default(0),
  cancelled: integer().notNull().default(0),
  revoked: integer().notNull().default(0),
  lastSentAt: timestamp({ withTimezone: true }),
  compactedAt: createdAt(),
});

/** Per-recipient receipt status (2 server ack, 3 delivered, 4 read), pruned after RECEIPT_RETENTION_HOURS. */
export const receipts = pgTable(
  'receipts',
  {
    deliveryId: bigint({ mode: 'number' })
      .primaryKey()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    status: smallint().notNull(),
    updatedAt: createdAt(),
  },
  (t) => [index('receipts_updated_at').on(t.updatedAt)],
);

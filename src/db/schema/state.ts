import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea, createdAt } from './columns.js';

// The WhatsApp bridge's state, Baileys' login, and the installation's secrets.

/**
 * The bridge's shared state, one row: the link as the bridge sees it, the queue's pause (a ban
 * signal or a person), and requests from the staff bot (a pairing code). Bot and bridge may be
 * separate processes, so this is how /stato and /riprendi reach the bridge.
 */
export const bridgeState = pgTable(
  'bridge_state',
  {
    id: integer().primaryKey().default(1),
    link: text().notNull().default('connecting'),
    linkChangedAt: createdAt(),
    /** The Comune's own number as linked (not a citizen's). */
    linkedNumber: text(),
    /** First link of this number: the warm-up ramp counts from here. */
    linkedAt: timestamp({ withTimezone: true }),
    lastSentAt: timestamp({ withTimezone: true }),
    pausedAt: timestamp({ withTimezone: true }),
    pauseReason: text(),
    /** What paused it: staff, error_463, reachout_timelock, message_capping, logged_out. */
    pauseSignal: text(),
    pausedUntil: timestamp({ withTimezone: true }),
    /**
     * A number linked that is not `linkedNumber` (someone scanned the QR with another phone):
     * nothing is sent until an amministratore confirms it, and then it becomes `linkedNumber`.
     */
    unconfirmedNumber: text(),
    unconfirmedSince: timestamp({ withTimezone: true }),
    pairingNumber: text(),
    pairingRequestedAt: timestamp({ withTimezone: true }),
    /** The linking QR while unlinked (it rotates); null once linked. The bot shows it as an image. */
    qr: text(),
    /** The staff group message showing the QR, so it is edited as the QR rotates and removed once linked. */
    qrMessageId: integer(),
    updatedAt: createdAt(),
  },
  (t) => [check('bridge_state_one_row', sql`${t.id} = 1`)],
);

/**
 * Secrets made once, at the first start (by the migration that creates the row), and kept here so
 * every process derives the same values: `message_id` keys the WhatsApp message ids of deliveries.
 */
export const secrets = pgTable('secrets', {
  name: text().primaryKey(),
  value: bytea().notNull(),
  createdAt: createdAt(),
});

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

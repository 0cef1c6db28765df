import { pgEnum } from 'drizzle-orm/pg-core';

// The enum types of the tables.

/** How a version's hash was made: see core/version-hash.ts. */
export const hashScheme = pgEnum('hash_scheme', ['whatsapp_text', 'body']);

export const staffRole = pgEnum('staff_role', ['redattore', 'approvatore', 'amministratore']);

export const bulletinState = pgEnum('bulletin_state', [
  'pending',
  'approved',
  'sending',
  'sent',
  'rejected',
  'withdrawn',
  'stopped',
]);

/**
 * A delivery in flight is a pending one under a live lease (lease_token and lease_until set);
 * 'in_flight' is no longer used (since migration 0005), kept because Postgres cannot drop an
 * enum value.
 */
export const deliveryState = pgEnum('delivery_state', [
  'pending',
  'in_flight',
  'sent',
  'failed',
  'cancelled',
]);

/** A reply to a citizen: owed until the sender sends it; dropped when it is no longer due. */
export const replyState = pgEnum('reply_state', ['owed', 'sent', 'dropped']);

/** How a membership began: the citizen wrote a keyword, or staff imported an existing list. */
export const joinSource = pgEnum('join_source', ['keyword', 'import']);

/** An import waits for "Importa" until it expires; once imported or dropped its numbers are gone. */
export const importState = pgEnum('import_state', ['pending', 'imported', 'cancelled', 'expired']);

/**
 * Who a bulletin goes to within its lists: everyone on them, or only those who joined by import
 * and have never been sent anything (the one-time transition notice after an import).
 */
export const bulletinAudience = pgEnum('bulletin_audience', ['all', 'imported_unreached']);

export const processRole = pgEnum('process_role', ['bot', 'bridge']);

/** The outlets a bulletin can leave through (core/outlets.ts OUTLET_NAMES). */
export const outletName = pgEnum('outlet_name', [
  'whatsapp',
  'whatsapp_channel',
  'telegram_channel',
  'archive',
]);

/** A broadcast outlet's post of one bulletin; see core/publications.ts for the moves between states. */
export const publicationState = pgEnum('publication_state', [
  'pending',
  'posting',
  'posted',
  'failed',
  'cancelled',
  'revoked',
  'revoke_failed',
]);

export const channelRequestKind = pgEnum('channel_request_kind', ['create', 'adopt', 'refresh']);

export const channelRequestState = pgEnum('channel_request_state', ['pending', 'done', 'failed']);

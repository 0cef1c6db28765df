import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import type { BulletinBody } from '../core/outlets.js';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

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

/** Binary data; PGlite returns a Uint8Array and postgres.js a Buffer: both become a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/** How a membership began: the citizen wrote a keyword, or staff imported an existing list. */
export const joinSource = pgEnum('join_source', ['keyword', 'import']);
/** An import waits for "Importa" until it expires; once imported or dropped its numbers are gone. */
export const importState = pgEnum('import_state', ['pending', 'imported', 'cancelled', 'expired']);
/**
 * Who a bulletin goes to within its lists: everyone on them, or only those who joined by import
 * and have never been sent anything (the one-time transition notice after an import).
 */
export const bulletinAudience = pgEnum('bulletin_audience', ['all', 'imported_unreached']);

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

/** The audit register: who did what, when; approvals carry the hash of what was approved. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: createdAt(),
    /** Telegram user id; null for the system (the bridge, the scheduler). */
    actorId: bigint({ mode: 'number' }),
    action: text().notNull(),
    bulletinId: integer().references(() => bulletins.id, { onDelete: 'set null' }),
    version: integer(),
    hash: text(),
    detail: jsonb().notNull().default({}),
  },
  (t) => [index('audit_log_bulletin').on(t.bulletinId)],
);

/** Messages from the bridge to the staff group (the database is the only bridge). */
export const staffNotices = pgTable(
  'staff_notices',
  {
    id: serial().primaryKey(),
    kind: text().notNull(),
    payload: jsonb().notNull(),
    postedAt: timestamp({ withTimezone: true }),
    /** Telegram refused it (400 or 403) this many times. */
    attempts: integer().notNull().default(0),
    /** Given up after a few refusals, so later notices are not held behind it. */
    skippedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('staff_notices_unposted').on(t.id).where(sql`${t.postedAt} is null`)],
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

export const processRole = pgEnum('process_role', ['bot', 'bridge']);

/**
 * Which process is the active one for each role (on Postgres the others stand by), so /stato can
 * say which machine is doing the work and since when. Written when a role becomes active.
 */
export const activeRoles = pgTable('active_roles', {
  role: processRole().primaryKey(),
  /** Fly's machine id, else the host name. */
  machine: text().notNull(),
  pid: integer().notNull(),
  since: createdAt(),
});

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

export const channelRequestKind = pgEnum('channel_request_kind', ['create', 'adopt', 'refresh']);
export const channelRequestState = pgEnum('channel_request_state', ['pending', 'done', 'failed']);

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

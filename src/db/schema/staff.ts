import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { bulletins } from './bulletins.js';
import { createdAt } from './columns.js';
import { processRole, staffRole } from './enums.js';

// Staff: roles, the audit register, notices to the staff group, and which process holds which role.

/** Telegram users holding a role; the admins named in ADMIN_TELEGRAM_IDS need no row. */
export const staffMembers = pgTable('staff_members', {
  telegramId: bigint({ mode: 'number' }).primaryKey(),
  role: staffRole().notNull(),
  grantedBy: bigint({ mode: 'number' }).notNull(),
  updatedAt: createdAt(),
});

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

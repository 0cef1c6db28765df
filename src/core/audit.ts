import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { auditLog } from '../db/schema.js';

/** Every action the register records. */
export type AuditAction =
  | 'draft'
  | 'version'
  | 'approve'
  | 'reject'
  /** "Rifiuta" pressed: the bot asked for the reason; detail.promptMessageId is that question. */
  | 'reject_requested'
  | 'withdraw'
  | 'schedule'
  | 'unschedule'
  | 'send_start'
  | 'send_end'
  | 'pause'
  | 'resume'
  | 'stop'
  | 'revoke'
  | 'role_change'
  | 'list_change'
  /** An outlet added to or removed from a draft (detail: outlet, change). */
  | 'outlet_change'
  /** A broadcast outlet posted a bulletin, or gave up (detail: outlet, state, failure). */
  | 'publication'
  | 'queue_pause'
  | 'queue_resume'
  /** WhatsApp linked (detail: number, confirmed; previous when it is another number). */
  | 'wa_link'
  /** An amministratore confirmed a new linked number. */
  | 'wa_link_confirm'
  /** WhatsApp logged the number out (401). */
  | 'wa_unlink'
  /** "/collega": a pairing code asked for a number. */
  | 'wa_pairing_request'
  /** An existing audience imported from a file: hash is the file's SHA-256, detail the counts. */
  | 'import'
  /** "/canale crea|collega": detail.kind. */
  | 'channel_request'
  /** The WhatsApp Channel set (created or adopted; detail: jid, role). */
  | 'channel_set'
  /** "/canale scollega". */
  | 'channel_unset'
  /** Meta reported another messaging-limit tier for the Cloud API number (detail: tier, previous). */
  | 'cloud_tier';

export type AuditEntry = {
  /** Telegram user id, or null for the system. */
  actorId: number | null;
  action: AuditAction;
  bulletinId?: number | null;
  version?: number | null;
  hash?: string | null;
  detail?: Record<string, unknown>;
};

/** Appends one line to the audit register; call it inside the transaction that does the action. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    bulletinId: entry.bulletinId ?? null,
    version: entry.version ?? null,
    hash: entry.hash ?? null,
    detail: entry.detail ?? {},
  });
}

/** The register, newest first. */
export async function auditEntries(db: Queryable, limit = 10_000) {
  return db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
}

export type AuditRow = typeof auditLog.$inferSelect;

/** The whole register, oldest first, as it is exported. */
export async function auditRegister(db: Queryable): Promise<AuditRow[]> {
  return db.select().from(auditLog).orderBy(asc(auditLog.id));
}

/** The newest register entry of a bulletin among `actions`, or undefined when there is none. */
export async function latestAuditEntry(db: Queryable, bulletinId: number, actions: AuditAction[]) {
  const [row] = await db
    .select({ action: auditLog.action, actorId: auditLog.actorId, at: auditLog.at, detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.bulletinId, bulletinId), inArray(auditLog.action, actions)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row;
}

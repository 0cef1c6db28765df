import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bridgeState } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { recordLink } from './bridge-state.js';
import { DomainError } from './errors.js';
import { postStaffNotice } from './notices.js';
import { pauseQueue } from './send-control.js';
import { requireRole } from './staff.js';

// Who links the Comune's number, and to which phone. After a logout (401) anyone in the staff
// group can scan the QR; a phone other than the one linked before would then receive every
// subscriber's number with the first bulletin. So a new number sends nothing until an
// amministratore confirms it, and every link, unlink and pairing request is in the register.

async function lockedState(tx: Queryable) {
  const [row] = await tx
    .select({ linked: bridgeState.linkedNumber, unconfirmed: bridgeState.unconfirmedNumber })
    .from(bridgeState)
    .where(eq(bridgeState.id, 1))
    .for('update');
  if (!row) throw new Error('bridge_state row missing: migrations not applied?');
  return row;
}

/**
 * WhatsApp opened with `number` (the Comune's own, as a normalised jid). The number linked before,
 * or the first one ever, is trusted and sends; any other is held unconfirmed (sending stays off,
 * staff are asked once). `linking` says a person just linked (a QR or a code), which the register
 * records; a plain reconnect of the same login is not a link.
 */
export async function recordLinkOpen(
  db: Db,
  input: { number: string | undefined; linking: boolean },
): Promise<'trusted' | 'unconfirmed'> {
  return db.transaction(async (tx) => {
    const { linked, unconfirmed } = await lockedState(tx);
    const { number } = input;
    if (number === undefined || linked === null || linked === number) {
      await recordLink(tx, { link: 'open', linkedNumber: number });
      if (unconfirmed !== null) {
        await tx
          .update(bridgeState)
          .set({ unconfirmedNumber: null, unconfirmedSince: null })
          .where(eq(bridgeState.id, 1));
      }
      if (input.linking)
        await recordAudit(tx, { actorId: null, action: 'wa_link', detail: { number, confirmed: true } });
      return 'trusted';
    }
    await tx
      .update(bridgeState)
      .set({
        link: 'open',
        linkChangedAt: sql`case when ${bridgeState.link} = 'open' then ${bridgeState.linkChangedAt} else now() end`,
        qr: null,
        unconfirmedNumber: number,
        unconfirmedSince: sql`case when ${bridgeState.unconfirmedNumber} = ${number} then ${bridgeState.unconfirmedSince} else now() end`,
        updatedAt: sql`now()`,
      })
      .where(eq(bridgeState.id, 1));
    if (unconfirmed !== number) {
      await recordAudit(tx, {
        actorId: null,
        action: 'wa_link',
        detail: { number, previous: linked, confirmed: false },
      });
      await postStaffNotice(tx, { kind: 'wa_new_number', number, previous: linked });
    }
    return 'unconfirmed';
  });
}

/**
 * An amministratore confirms the new number the button names: it becomes the linked number (its
 * warm-up starts afresh) and sending may resume. Refused unless that very number is still waiting.
 */
export async function confirmLinkedNumber(
  db: Db,
  input: { actorId: number; adminIds: readonly number[]; number: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const confirmed = await tx
      .update(bridgeState)
      .set({
        linkedNumber: input.number,
        linkedAt: sql`now()`,
        unconfirmedNumber: null,
        unconfirmedSince: null,
        updatedAt: sql`now()`,
      })
      .where(sql`${bridgeState.id} = 1 and ${bridgeState.unconfirmedNumber} = ${input.number}`)
      .returning({ id: bridgeState.id });
    if (confirmed.length === 0) throw new DomainError('link_not_pending');
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'wa_link_confirm',
      detail: { number: input.number },
    });
  });
}

/** The number waiting for an amministratore's confirmation, if any. */
export async function unconfirmedNumber(db: Queryable): Promise<{ number: string; since: Date } | undefined> {
  const [row] = await db
    .select({ number: bridgeState.unconfirmedNumber, since: bridgeState.unconfirmedSince })
    .from(bridgeState)
    .where(eq(bridgeState.id, 1));
  return row?.number ? { number: row.number, since: row.since ?? new Date() } : undefined;
}

/**
 * WhatsApp logged the number out (401): sending pauses until it is linked again, staff are told,
 * and the register records which number was unlinked.
 */
export async function recordLogout(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const { linked, unconfirmed } = await lockedState(tx);
    await pauseQueue(tx, { reason: 'logged_out', signal: 'logged_out' });
    await recordAudit(tx, { actorId: null, action: 'queue_pause', detail: { signal: 'logged_out' } });
    await recordAudit(tx, { actorId: null, action: 'wa_unlink', detail: { number: unconfirmed ?? linked } });
    await postStaffNotice(tx, { kind: 'wa_logged_out' });
  });
}

/**
 * "/collega <numero>" (amministratore, checked inside the transaction): asks the bridge for a
 * pairing code for that number, unless WhatsApp is linked already. In the register.
 */
export async function requestPairing(
  db: Db,
  input: { actorId: number; adminIds: readonly number[]; phoneNumber: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const [row] = await tx
      .select({ link: bridgeState.link })
      .from(bridgeState)
      .where(eq(bridgeState.id, 1))
      .for('update');
    if (row?.link === 'open') throw new DomainError('already_linked');
    await tx
      .update(bridgeState)
      .set({ pairingNumber: input.phoneNumber, pairingRequestedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(bridgeState.id, 1));
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'wa_pairing_request',
      detail: { number: input.phoneNumber },
    });
  });
}

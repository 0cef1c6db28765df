import type { ConnectionState, NewChatMessageCapInfo, WAMessageUpdate } from '@whiskeysockets/baileys';
import { recordAudit } from '../core/audit.js';
import { postStaffNotice } from '../core/notices.js';
import { pauseQueue, queuePause, resumeQueue } from '../core/send-control.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { BridgeSocket } from './socket.js';

type Signal = 'error_463' | 'reachout_timelock' | 'message_capping';

const ERROR_STATUS = 0;
const REACHOUT_TIMELOCKED = '463';

/** A WhatsApp timestamp (seconds, or milliseconds) as a date; undefined when absent or unreadable. */
export function timestampDate(value: string | number | undefined | null): Date | undefined {
  const n = Number(value);
  if (!value || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n < 1e12 ? n * 1000 : n);
}

/**
 * WhatsApp's warnings that the number is close to a ban: error 463 on a message we sent, the
 * reach-out time lock, the monthly cap on new chats. Each pauses the whole queue at once (a 463
 * is never retried by us), tells staff which signal and until when, and writes the audit register.
 * A time lock WhatsApp lifts, or a cap that resets, resumes sending; otherwise /riprendi does.
 */
export function createBanSignals(deps: { db: Db; socket(): BridgeSocket | undefined; logger: Logger }) {
  const { db, logger } = deps;

  async function pause(signal: Signal, until: Date | undefined, detail: Record<string, unknown>) {
    const current = await queuePause(db);
    const sameEnd = (current?.until?.getTime() ?? null) === (until?.getTime() ?? null);
    // Many 463 acks arrive for one restriction: one pause, one notice; a known end time stays.
    if (current?.signal === signal && (sameEnd || !until)) return;
    // A pause someone else made (staff, another signal) stays as it is; staff still hear of this one.
    const takeOver = !current || current.signal === signal;
    await db.transaction(async (tx) => {
      if (takeOver) await pauseQueue(tx, { reason: signal, signal, until: until ?? null });
      await postStaffNotice(tx, { kind: 'sending_paused', signal, until: until?.toISOString() ?? null });
      await recordAudit(tx, { actorId: null, action: 'queue_pause', detail: { signal, until, ...detail } });
    });
    logger.warn({ signal, until }, 'WhatsApp ban signal: sending paused');
  }

  async function lift(signal: Signal) {
    const current = await queuePause(db);
    if (current?.signal !== signal) return;
    await db.transaction(async (tx) => {
      if (!(await resumeQueue(tx))) return;
      await postStaffNotice(tx, { kind: 'sending_resumed', signal });
      await recordAudit(tx, { actorId: null, action: 'queue_resume', detail: { signal } });
    });
    logger.info({ signal }, 'WhatsApp lifted its restriction: sending resumed');
  }

  return {
    async onMessageUpdates(updates: WAMessageUpdate[]) {
      const hit = updates.find(
        (u) =>
          u.key.fromMe &&
          u.update.status === ERROR_STATUS &&
          u.update.messageStubParameters?.[0] === REACHOUT_TIMELOCKED,
      );
      if (!hit) return;
      await pause('error_463', undefined, { messageId: hit.key.id });
      // rc14 means to fetch the time lock after a 463 ack, but its branch for it can never run
      // (both codes are '463'): ask ourselves, to learn when the restriction ends.
      await deps
        .socket()
        ?.fetchAccountReachoutTimelock?.()
        .catch((err: unknown) => logger.warn({ err }, 'could not fetch the reach-out time lock'));
    },

    async onTimeLock(lock: NonNullable<ConnectionState['reachoutTimeLock']>) {
      if (lock.isActive) {
        const current = await queuePause(db);
        // A 463 pause learns its end from the time lock that caused it.
        const signal = current?.signal === 'error_463' ? 'error_463' : 'reachout_timelock';
        await pause(signal, lock.timeEnforcementEnds, { enforcementType: lock.enforcementType });
      } else await lift('reachout_timelock');
    },

    async onCapping(info: NewChatMessageCapInfo) {
      if (info.capping_status === 'CAPPED') {
        await pause('message_capping', timestampDate(info.cycle_end_timestamp), {
          used: info.used_quota,
          total: info.total_quota,
        });
      } else if (info.capping_status === 'NONE') await lift('message_capping');
    },
  };
}

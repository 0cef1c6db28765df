import { InlineKeyboard } from 'grammy';
import { sendingHeldBy } from '../core/bridge-state.js';
import type { Pacing } from '../core/pacing.js';
import { bulletinProgress, estimateFinish } from '../core/progress.js';
import { bulletinPublications } from '../core/publications.js';
import type { WatchedBulletin } from '../core/status.js';
import type { Queryable } from '../db/client.js';
import { buttonData } from './callback-data.js';
import {
  bulletinStatus,
  PAUSE_LABEL,
  RESUME_LABEL,
  REVOKE_LABEL,
  STOP_LABEL,
  type StatusView,
} from './texts.js';

const QUEUED_OR_LATER = new Set(['approved', 'sending', 'sent', 'stopped']);

/** Whether this status is the last word on a bulletin taken out of the queue. */
export function unqueued(row: WatchedBulletin): boolean {
  return !QUEUED_OR_LATER.has(row.state);
}

export type RenderedStatus = { text: string; keyboard: InlineKeyboard };

/**
 * The buttons a status carries: pause or resume and stop while sending, "Ritira" once sent, where
 * something can be withdrawn: WhatsApp 1:1 unless its transport cannot delete (`oneToOneRevoke`
 * false, the Cloud API), or a broadcast outlet's post.
 */
export function statusKeyboard(
  view: StatusView & { withinRevokeWindow: boolean; oneToOneRevoke: boolean },
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const id = view.bulletinId;
  if (view.state === 'sending') {
    keyboard
      .text(
        view.paused ? RESUME_LABEL : PAUSE_LABEL,
        buttonData({ action: view.paused ? 'resume' : 'pause', bulletinId: id }),
      )
      .text(STOP_LABEL, buttonData({ action: 'stop', bulletinId: id }));
  } else if (
    (view.state === 'sent' || view.state === 'stopped') &&
    view.progress.sent > 0 &&
    !view.revoke.requested &&
    view.withinRevokeWindow &&
    (view.oneToOneRevoke || view.publications?.some((publication) => publication.state === 'posted'))
  ) {
    keyboard.text(REVOKE_LABEL, buttonData({ action: 'revoke', bulletinId: id }));
  }
  return keyboard;
}

/**
 * Reads what the status of one bulletin shows now; the estimate uses the sender's own pacing.
 * `oneToOneRevoke` is false when the WhatsApp 1:1 transport cannot delete a sent message.
 */
export async function renderStatus(
  db: Queryable,
  pacing: Pacing,
  row: WatchedBulletin,
  now: Date,
  oneToOneRevoke = true,
): Promise<RenderedStatus> {
  const progress = await bulletinProgress(db, row.id);
  const sending = row.state === 'sending' && row.pausedAt === null;
  const waiting = sending ? await sendingHeldBy(db) : undefined;
  const view: StatusView = {
    bulletinId: row.id,
    state: QUEUED_OR_LATER.has(row.state) ? (row.state as StatusView['state']) : 'unqueued',
    sendAt: row.sendAt,
    paused: row.pausedAt !== null,
    progress,
    finishAt: sending && !waiting ? (await estimateFinish(db, pacing, row.id)).finishAt : undefined,
    waiting,
    revoke: {
      requested: row.revokeRequestedAt !== null,
      done: row.revokeDoneAt !== null,
      revoked: row.revokedCount,
    },
    now,
    publications: await bulletinPublications(db, row.id),
  };
  return {
    text: bulletinStatus(view),
    keyboard: statusKeyboard({ ...view, withinRevokeWindow: row.withinRevokeWindow, oneToOneRevoke }),
  };
}

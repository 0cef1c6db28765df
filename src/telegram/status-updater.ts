import { type Api, GrammyError } from 'grammy';
import type { Pacing } from '../core/pacing.js';
import {
  forgetStatusMessage,
  setStatusMessage,
  type WatchedBulletin,
  watchedBulletins,
} from '../core/status.js';
import type { Db, Listener } from '../db/client.js';
import type { Logger } from '../logger.js';
import { watchDatabase } from './db-watcher.js';
import { createEditBudget } from './edit-budget.js';
import { NOTICES_CHANNEL } from './notice-poster.js';
import type { StaffChat } from './staff-chat.js';
import { renderStatus, unqueued } from './status-message.js';

/** The sender's channel: deliveries queued, a bulletin approved, paused, resumed or withdrawn. */
const DELIVERIES_CHANNEL = 'banditore_deliveries';
/** Deliveries claimed or marked, a bulletin's counts (receipts) or state moving (migration 0018). */
export const PROGRESS_CHANNEL = 'banditore_progress';
/** A broadcast outlet's post changed state (migration 0017's trigger). */
const PUBLICATIONS_CHANNEL = 'banditore_publications';

export type StatusUpdaterOptions = {
  db: Db;
  listen: Listener;
  api: Pick<Api, 'sendMessage' | 'editMessageText'>;
  staffChat: StaffChat;
  pacing: Pacing;
  /** False with the Cloud API, which cannot delete a sent message: no "Ritira" for WhatsApp 1:1 alone. */
  oneToOneRevoke?: boolean;
  logger: Logger;
  /** Safety poll while a bulletin is watched (progress and receipts notify; this is for a missed one). */
  pollIntervalMs?: number;
  /** Safety poll with nothing watched. */
  idlePollIntervalMs?: number;
  /** Telegram: about one edit a second per chat and 20 messages a minute per group; we stay below. */
  perMessageMs?: number;
  perMinute?: number;
  now?: () => number;
};

export type StatusUpdater = {
  /** One full look at every watched bulletin (waits for a look in progress first). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
};

type Shown = { rowKey: string; shown: string };

/** What can change a finished bulletin's status: its row. A sending one changes with every send. */
function rowKey(row: WatchedBulletin): string {
  return JSON.stringify([
    row.state,
    row.sendAt,
    row.pausedAt,
    row.delivered,
    row.read,
    row.revokeRequestedAt,
    row.revokeDoneAt,
    row.withinRevokeWindow,
    row.statusMessageId,
  ]);
}

const notModified = (err: unknown) =>
  err instanceof GrammyError && /message is not modified/i.test(err.description);
const messageGone = (err: unknown) =>
  err instanceof GrammyError && /message to edit not found|message can't be edited/i.test(err.description);

/**
 * Keeps one status message per bulletin in the staff group: posted when it is queued, edited as
 * it moves, until its last receipts. It reads everything from the database, so the bridge may run
 * in another process. Edits are budgeted (one per message every few seconds, a few a minute in the
 * group); a change waits for room but is never dropped, so the final state is always shown.
 */
export async function startStatusUpdater(options: StatusUpdaterOptions): Promise<StatusUpdater> {
  const { db, api, staffChat, logger } = options;
  const now = options.now ?? Date.now;
  const perMessageMs = options.perMessageMs ?? 5_000;
  const budget = createEditBudget({
    perMessageMs,
    perMinute: options.perMinute ?? 15,
    now,
  });
  const memory = new Map<number, Shown>();
  let stopped = false;
  // A change held back by the edit budget is looked at again when the budget has room.
  let heldBack: NodeJS.Timeout | undefined;
  const lookAgainSoon = () => {
    heldBack ??= setTimeout(() => {
      heldBack = undefined;
      void watcher.refresh();
    }, perMessageMs);
  };

  async function show(row: WatchedBulletin, key: string): Promise<void> {
    const { text, keyboard } = await renderStatus(
      db,
      options.pacing,
      row,
      new Date(now()),
      options.oneToOneRevoke ?? true,
    );
    const shown = text + JSON.stringify(keyboard.inline_keyboard);
    const before = memory.get(row.id);
    if (row.statusMessageId !== null && before?.shown === shown) {
      memory.set(row.id, { rowKey: key, shown });
      return;
    }
    budget.spend(row.id);
    if (row.statusMessageId === null) {
      const message = await api.sendMessage(staffChat.id, text, {
        reply_markup: keyboard,
        ...(row.previewMessageId === null
          ? {}
          : { reply_parameters: { message_id: row.previewMessageId, allow_sending_without_reply: true } }),
      });
      await setStatusMessage(db, row.id, message.message_id);
      logger.info({ bulletin_id: row.id, message_id: message.message_id }, 'status posted');
    } else {
      try {
        await api.editMessageText(staffChat.id, row.statusMessageId, text, { reply_markup: keyboard });
      } catch (err) {
        if (messageGone(err)) {
          await forgetStatusMessage(db, row.id, row.statusMessageId);
          memory.delete(row.id);
          return;
        }
        if (!notModified(err)) throw err;
      }
      // Its status now says so; should it be approved again, it gets a new status message.
      if (unqueued(row)) {
        await forgetStatusMessage(db, row.id, row.statusMessageId);
        memory.delete(row.id);
        return;
      }
    }
    memory.set(row.id, { rowKey: key, shown });
  }

  /** Shows what changed; true while any bulletin is watched. */
  async function look(): Promise<boolean> {
    const rows = await watchedBulletins(db);
    const ids = new Set(rows.map((r) => r.id));
    for (const id of memory.keys()) {
      if (!ids.has(id)) {
        memory.delete(id);
        budget.forget(id);
      }
    }
    // A change of state goes before a mere step of progress when the budget is short.
    const due = rows
      .map((row) => ({ row, key: rowKey(row), changed: memory.get(row.id)?.rowKey !== rowKey(row) }))
      .filter(({ row, changed }) => changed || (row.state === 'sending' && row.pausedAt === null))
      .sort((a, b) => Number(b.changed) - Number(a.changed));
    for (const { row, key } of due) {
      if (stopped) return false;
      if (row.statusMessageId !== null && !budget.messageReady(row.id)) {
        if (memory.get(row.id)?.rowKey !== key || row.state === 'sending') lookAgainSoon();
        continue;
      }
      if (!budget.groupReady()) {
        lookAgainSoon();
        return true;
      }
      try {
        await show(row, key);
      } catch (err) {
        logger.warn({ err, bulletin_id: row.id }, 'could not update the status message');
      }
    }
    return rows.length > 0;
  }

  const watcher = await watchDatabase({
    listen: options.listen,
    channels: [DELIVERIES_CHANNEL, NOTICES_CHANNEL, PROGRESS_CHANNEL, PUBLICATIONS_CHANNEL],
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    ...(options.idlePollIntervalMs === undefined ? {} : { idlePollIntervalMs: options.idlePollIntervalMs }),
    // Progress notifies once per batch sent: one look a second is plenty (edits are budgeted anyway).
    minGapMs: 1_000,
    work: look,
    onError: (err) => logger.error({ err }, 'status messages not updated'),
  });

  return {
    refresh: () => watcher.refresh(),
    async stop() {
      stopped = true;
      clearTimeout(heldBack);
      await watcher.stop();
    },
  };
}

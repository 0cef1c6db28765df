import { type Api, GrammyError } from 'grammy';
import { markNoticePosted, recordNoticeRefused, unpostedNotices } from '../core/notices.js';
import type { Db, Listener } from '../db/client.js';
import type { Logger } from '../logger.js';
import { watchDatabase } from './db-watcher.js';
import { confirmNumberKeyboard } from './link.js';
import type { StaffChat } from './staff-chat.js';
import { bridgeNotice, staffNotice } from './texts.js';

export const NOTICES_CHANNEL = 'banditore_staff_notices';
const BATCH = 20;

export type NoticePoster = { stop(): Promise<void> };

export type NoticePosterOptions = {
  db: Db;
  listen: Listener;
  api: Pick<Api, 'sendMessage'>;
  staffChat: StaffChat;
  logger: Logger;
  /** The safety poll, for a notification missed while the connection was down. */
  pollIntervalMs?: number;
};

/** Telegram refused the request itself (bad request, forbidden): sending it again may not help. */
function refusedByTelegram(err: unknown): err is GrammyError {
  return err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403);
}

/**
 * Posts the bridge's notices to the staff group, oldest first, each marked posted after Telegram
 * took it (at least once: a crash between the two posts it again). Woken by the database on every
 * insert and by a slow poll; one drain at a time, and a wake-up during a drain runs one more.
 * A failed post stops the drain until the next wake-up; one Telegram refuses a few times over is
 * skipped, while network failures are retried without end (every later notice would fail too).
 */
export async function startNoticePoster(options: NoticePosterOptions): Promise<NoticePoster> {
  const { db, api, staffChat, logger } = options;
  let stopped = false;

  async function drainOnce(): Promise<void> {
    for (;;) {
      const batch = await unpostedNotices(db, BATCH);
      for (const { id, notice } of batch) {
        if (stopped) return;
        const text = staffNotice(notice) ?? bridgeNotice(notice);
        if (text === undefined) {
          logger.warn({ notice_id: id, kind: notice.kind }, 'unknown notice kind skipped');
        } else {
          try {
            if (notice.kind === 'wa_new_number')
              await api.sendMessage(staffChat.id, text, {
                reply_markup: confirmNumberKeyboard(notice.number),
              });
            else await api.sendMessage(staffChat.id, text);
          } catch (err) {
            if (!refusedByTelegram(err) || !(await recordNoticeRefused(db, id))) throw err;
            logger.error(
              { notice_id: id, kind: notice.kind, error_code: err.error_code, err },
              'staff notice refused by Telegram again: skipped',
            );
            continue;
          }
        }
        await markNoticePosted(db, id);
      }
      if (batch.length < BATCH) return;
    }
  }

  const watcher = await watchDatabase({
    listen: options.listen,
    channels: [NOTICES_CHANNEL],
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    work: drainOnce,
    // The notice stays unposted; the next wake-up or poll tries again.
    onError: (err) => logger.error({ err }, 'posting staff notices failed'),
  });

  return {
    async stop() {
      stopped = true;
      await watcher.stop();
    },
  };
}

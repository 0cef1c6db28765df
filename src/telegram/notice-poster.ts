import type { Api } from 'grammy';
import { markNoticePosted, unpostedNotices } from '../core/notices.js';
import type { Db, Listener } from '../db/client.js';
import type { Logger } from '../logger.js';
import { watchDatabase } from './db-watcher.js';
import { confirmNumberKeyboard } from './link.js';
import { bridgeNotice, staffNotice } from './texts.js';

export const NOTICES_CHANNEL = 'banditore_staff_notices';
const BATCH = 20;

export type NoticePoster = { stop(): Promise<void> };

export type NoticePosterOptions = {
  db: Db;
  listen: Listener;
  api: Pick<Api, 'sendMessage'>;
  staffChatId: number;
  logger: Logger;
  /** The safety poll, for a notification missed while the connection was down. */
  pollIntervalMs?: number;
};

/**
 * Posts the bridge's notices to the staff group, oldest first, each marked posted after Telegram
 * took it (at least once: a crash between the two posts it again). Woken by the database on every
 * insert and by a slow poll; one drain at a time, and a wake-up during a drain runs one more.
 */
export async function startNoticePoster(options: NoticePosterOptions): Promise<NoticePoster> {
  const { db, api, staffChatId, logger } = options;
  let stopped = false;

  async function drainOnce(): Promise<void> {
    for (;;) {
      const batch = await unpostedNotices(db, BATCH);
      for (const { id, notice } of batch) {
        if (stopped) return;
        const text = staffNotice(notice) ?? bridgeNotice(notice);
        if (text === undefined)
          logger.warn({ notice_id: id, kind: notice.kind }, 'unknown notice kind skipped');
        else if (notice.kind === 'wa_new_number')
          await api.sendMessage(staffChatId, text, { reply_markup: confirmNumberKeyboard(notice.number) });
        else await api.sendMessage(staffChatId, text);
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

import { postStaffNotice } from '../core/notices.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

export type LinkMonitor = {
  /** The link went down (a linked number, not one waiting to be linked). */
  down(): void;
  /** The link is open again. */
  up(): Promise<void>;
  stop(): void;
};

/**
 * Tells staff when the link has been down for longer than the alert time (brief drops are normal
 * and mended by reconnecting), and when it is back after such an alert.
 */
export function createLinkMonitor(deps: { db: Db; alertMs: number; logger: Logger }): LinkMonitor {
  let downSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let alerted = false;
  const minutesDown = () => Math.max(1, Math.round((Date.now() - (downSince ?? Date.now())) / 60_000));

  function notify(notice: Parameters<typeof postStaffNotice>[1]) {
    return postStaffNotice(deps.db, notice).catch((err: unknown) =>
      deps.logger.error({ err, kind: notice.kind }, 'could not queue a staff notice'),
    );
  }

  return {
    down() {
      if (downSince !== undefined) return;
      downSince = Date.now();
      timer = setTimeout(() => {
        alerted = true;
        deps.logger.warn({ minutes: minutesDown() }, 'WhatsApp link down; staff told');
        void notify({ kind: 'wa_down', minutes: minutesDown() });
      }, deps.alertMs);
    },
    async up() {
      clearTimeout(timer);
      if (alerted) await notify({ kind: 'wa_back', minutes: minutesDown() });
      downSince = undefined;
      alerted = false;
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

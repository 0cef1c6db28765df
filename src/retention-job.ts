import { applyRetention, type RetentionPolicy } from './core/retention.js';
import type { Database } from './db/client.js';
import { reclaimSpace } from './db/maintenance.js';
import type { Logger } from './logger.js';

export type RetentionJob = { stop(): Promise<void> };

const HOUR = 3_600_000;
const FIRST_RUN_MS = 10 * 60_000;

/**
 * Applies the retention policy once an hour, first ten minutes after start-up, then lets the
 * database reuse the room. Not sooner: a start after a deploy or a crash has the bridge's replay
 * and the queued sends to catch up with, and the first VACUUM of a process is its dearest (about
 * 0.3 s of CPU on PGlite after a 10,000-recipient send, measured; later passes a fifth of it),
 * while what retention removes is days old. Every step is safe to run from two processes at once,
 * but one is enough: main.ts starts it where the bridge runs.
 */
export function startRetentionJob(deps: {
  database: Pick<Database, 'db'>;
  logger: Logger;
  policy: RetentionPolicy;
  firstRunMs?: number;
  intervalMs?: number;
}): RetentionJob {
  const log = deps.logger;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function run(): Promise<void> {
    const started = Date.now();
    try {
      const report = await applyRetention(deps.database.db, deps.policy);
      await reclaimSpace(deps.database);
      log.info({ ...report, ms: Date.now() - started }, 'retention applied');
    } catch (err) {
      log.error({ err }, 'retention failed; trying again at the next run');
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(() => schedule(deps.intervalMs ?? HOUR));
    }, ms);
    timer.unref();
  }

  schedule(deps.firstRunMs ?? FIRST_RUN_MS);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

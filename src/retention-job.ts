import { applyRetention, type RetentionPolicy } from './core/retention.js';
import type { Database } from './db/client.js';
import { reclaimSpace } from './db/maintenance.js';
import type { Logger } from './logger.js';

export type RetentionJob = { stop(): Promise<void> };

const HOUR = 3_600_000;

/**
 * Applies the retention policy once an hour, first shortly after start-up (after the bridge's
 * replay, not in its way), then lets the database reuse the room. Every step is safe to run from
 * two processes at once, but one is enough: main.ts starts it where the bridge runs.
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

  schedule(deps.firstRunMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

import type { Listener } from '../db/client.js';

export type DbWatcher = {
  /** One more full run, after the one in progress if any; resolves when it is done. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
};

/** With nothing in progress, the safety poll is this far apart (a missed notification waits this long). */
export const IDLE_POLL_MS = 600_000;

/**
 * Runs `work` whenever the database notifies one of `channels`, and by a safety poll for a
 * notification missed while the connection was down: every `pollIntervalMs` while something is
 * in progress (`work` returned true, or failed), every `idlePollIntervalMs` otherwise, so an idle
 * process sleeps. Notifications closer than `minGapMs` to the last run are folded into one run
 * at the end of the gap. One run at a time: a wake-up during a run asks for one more run after it
 * (also after a failed one), never for a queue of them.
 */
export async function watchDatabase(options: {
  listen: Listener;
  channels: string[];
  pollIntervalMs: number;
  idlePollIntervalMs?: number;
  minGapMs?: number;
  /** Resolves true while work is in progress (polls stay frequent), anything else when idle. */
  work: () => Promise<unknown>;
  onError: (err: unknown) => void;
}): Promise<DbWatcher> {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let busy = true;
  let lastRunAt = Number.NEGATIVE_INFINITY;
  let poll: NodeJS.Timeout | undefined;
  let gap: NodeJS.Timeout | undefined;

  function schedulePoll(): void {
    clearTimeout(poll);
    if (stopped) return;
    poll = setTimeout(
      () => void wake(),
      busy ? options.pollIntervalMs : (options.idlePollIntervalMs ?? IDLE_POLL_MS),
    );
    poll.unref();
  }

  function wake(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        lastRunAt = Date.now();
        busy = true;
        busy = (await options.work()) === true;
      } while (again && !stopped);
    })()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        schedulePoll();
        // A wake-up that came during a failed run still deserves its try.
        if (again) void wake();
      });
    return running;
  }

  function notified(): void {
    const wait = lastRunAt + (options.minGapMs ?? 0) - Date.now();
    if (wait <= 0 || running) return void wake();
    gap ??= setTimeout(() => {
      gap = undefined;
      void wake();
    }, wait);
  }

  const unlisten: Awaited<ReturnType<Listener>>[] = [];
  for (const channel of options.channels) unlisten.push(await options.listen(channel, notified));
  void wake();

  return {
    async refresh() {
      await running;
      await wake();
    },
    async stop() {
      stopped = true;
      clearTimeout(poll);
      clearTimeout(gap);
      for (const off of unlisten) await off();
      await running;
    },
  };
}

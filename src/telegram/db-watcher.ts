import type { Listener } from '../db/client.js';

export type DbWatcher = {
  /** One more full run, after the one in progress if any; resolves when it is done. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Runs `work` whenever the database notifies one of `channels`, and every `pollIntervalMs` as a
 * safety net for a notification missed while the connection was down. One run at a time: a wake-up
 * during a run asks for one more run after it (also after a failed one), never for a queue of them.
 */
export async function watchDatabase(options: {
  listen: Listener;
  channels: string[];
  pollIntervalMs: number;
  work: () => Promise<void>;
  onError: (err: unknown) => void;
}): Promise<DbWatcher> {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  function wake(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await options.work();
      } while (again && !stopped);
    })()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        // A wake-up that came during a failed run still deserves its try.
        if (again) void wake();
      });
    return running;
  }

  const unlisten: Awaited<ReturnType<Listener>>[] = [];
  for (const channel of options.channels) unlisten.push(await options.listen(channel, () => void wake()));
  const poll = setInterval(() => void wake(), options.pollIntervalMs);
  poll.unref();
  void wake();

  return {
    async refresh() {
      await running;
      await wake();
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      for (const off of unlisten) await off();
      await running;
    },
  };
}

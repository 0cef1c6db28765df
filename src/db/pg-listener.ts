import postgres from 'postgres';
import { connectionLimits } from './driver-quirks.js';

export type Listener = (channel: string, onNotify: () => void) => Promise<() => Promise<void>>;

/** The slowest retry of LISTEN while Postgres is away. */
const MAX_RETRY_MS = 10_000;
const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export type PgListener = { listen: Listener; close(): Promise<void> };

/**
 * LISTEN/NOTIFY on one dedicated connection, kept by us rather than by postgres.js's `listen`:
 * that helper re-listens after a lost connection with listeners its `unlisten` no longer finds,
 * and once an UNLISTEN met a closed socket its next `listen` never settled, so a role that took
 * over after a Postgres restart hung at start-up. Here the wanted channels are ours: after the
 * connection is lost they are listened again (retrying until Postgres answers), and every handler
 * is then called once, since what was notified in between is gone. `listen` never fails and never
 * waits past one attempt; the callers' slow polls cover the time until it succeeds.
 */
export function createPgListener(url: string): PgListener {
  const handlers = new Map<string, Set<() => void>>();
  const listening = new Set<string>();
  let missed = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let syncing: Promise<void> | undefined;

  // `onnotify` is the option postgres.js's own `listen` uses; its types leave it out.
  const onnotify = { onnotify: (channel: string) => callAll(channel) } as object;
  const sql = postgres(url, {
    max: 1,
    max_lifetime: null,
    fetch_types: false,
    ...connectionLimits,
    onnotice: () => {},
    connection: { application_name: 'banditore-listen' },
    ...onnotify,
    onclose: () => {
      listening.clear();
      if (closed || handlers.size === 0) return;
      missed = true;
      void sync();
    },
  });

  function callAll(channel?: string): void {
    const targets = channel === undefined ? [...handlers.values()] : [handlers.get(channel) ?? []];
    for (const set of targets) for (const handler of [...set]) handler();
  }

  async function listenAll(): Promise<void> {
    for (;;) {
      const channel = [...handlers.keys()].find((name) => !listening.has(name));
      if (channel === undefined || closed) return;
      await sql.unsafe(`LISTEN ${channel}`);
      listening.add(channel);
    }
  }

  function sync(): Promise<void> {
    syncing ??= listenAll()
      .then(() => {
        failures = 0;
        if (missed && !closed) {
          missed = false;
          callAll();
        }
      })
      .catch(() => {
        failures += 1;
        clearTimeout(retry);
        if (!closed) retry = setTimeout(sync, Math.min(250 * 2 ** failures, MAX_RETRY_MS));
      })
      .finally(() => {
        syncing = undefined;
      });
    return syncing;
  }

  return {
    async listen(channel, onNotify) {
      if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
      const set = handlers.get(channel) ?? new Set();
      handlers.set(channel, set);
      // Each call is its own subscription, even with the same function.
      const handler = () => onNotify();
      set.add(handler);
      // A round already under way may have passed this channel by: then one more.
      if (syncing) await syncing;
      if (!listening.has(channel)) await sync();
      return async () => {
        set.delete(handler);
        // The channel stays listened: an UNLISTEN racing a new LISTEN could drop a wanted one,
        // and a notification nobody handles costs nothing.
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      handlers.clear();
      await sql.end({ timeout: 1 });
    },
  };
}

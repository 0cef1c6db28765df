import postgres from 'postgres';
import { connectionLimits } from './driver-quirks.js';

/** Session advisory lock keys, one per role (the migration lock is 7_405_220_001). */
const KEYS = { bot: '7405220002', bridge: '7405220003' } as const;

export type RoleLock = {
  /** Tries once to take the role's lock; true when this process holds it now. */
  tryTake(): Promise<boolean>;
  /**
   * While held: checks the lock is still this session's. Any doubt (the connection closed, the
   * check failed or took too long) counts as lost, and `onLost` is called once.
   */
  check(): Promise<void>;
  /** Closes the lock's connection, which releases the lock. */
  close(): Promise<void>;
};

/**
 * A session-level advisory lock on a connection of its own: held as long as that session lives,
 * released by Postgres the moment the session ends (the process died, the machine is gone). The
 * server probes an idle connection after 4 s, every 2 s, 3 times, so a vanished machine frees the
 * lock within 10 s; the holder gives up sooner, when a check does not come back within
 * `checkTimeoutMs`.
 */
export function openRoleLock(
  url: string,
  role: keyof typeof KEYS,
  options: { checkTimeoutMs: number; onLost: (reason: string) => void },
): RoleLock {
  const key = KEYS[role];
  let heldBy: number | undefined;
  let closing = false;

  const lose = (reason: string) => {
    if (heldBy === undefined || closing) return;
    heldBy = undefined;
    options.onLost(reason);
  };

  const client = postgres(url, {
    max: 1,
    // The default recycles a connection after 30-60 minutes: that would drop the lock.
    max_lifetime: null,
    idle_timeout: 0,
    ...connectionLimits,
    keep_alive: 5,
    onnotice: () => {},
    onclose: () => lose('the lock connection closed'),
    connection: {
      application_name: `banditore ${role} lock`,
      tcp_keepalives_idle: 4,
      tcp_keepalives_interval: 2,
      tcp_keepalives_count: 3,
    },
  });

  return {
    async tryTake() {
      if (heldBy !== undefined) return true;
      const [row] = await client<{ locked: boolean; pid: number }[]>`
        SELECT pg_try_advisory_lock(${key}::bigint) AS locked, pg_backend_pid() AS pid`;
      if (row?.locked) heldBy = row.pid;
      return heldBy !== undefined;
    },
    async check() {
      if (heldBy === undefined) return;
      const pid = heldBy;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), options.checkTimeoutMs);
      });
      try {
        // A reconnected pool would answer from a new session that does not hold the lock.
        const answer = await Promise.race([
          client<{ held: boolean }[]>`
            SELECT pg_backend_pid() = ${pid} AND EXISTS (
              SELECT 1 FROM pg_locks
              WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1
                AND ((classid::bigint << 32) | objid::bigint) = ${key}::bigint
            ) AS held`,
          late,
        ]);
        if (answer === 'late') lose('the lock check did not answer in time');
        else if (!answer[0]?.held) lose('the lock is no longer held by this session');
      } catch {
        lose('the lock check failed');
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closing = true;
      heldBy = undefined;
      await client.end({ timeout: 2 });
    },
  };
}

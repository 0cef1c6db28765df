import { setTimeout as sleep } from 'node:timers/promises';
import { clearActiveRole, type ProcessRole, recordActiveRole, roleHasOwner } from './core/active-roles.js';
import type { Database } from './db/client.js';
import { openRoleLock, type RoleLock } from './db/role-lock.js';
import type { Logger } from './logger.js';

/** How long a copy that just took the lock waits before starting the role. */
const TAKEOVER_GRACE_MS = 1_000;

/** A started role: `stop` finishes what is in flight; `abort` stops at once, leaving shared state alone. */
export type Running = { stop(): Promise<void>; abort?(): Promise<void> };

export type RoleState = { state: 'active' | 'standby' | 'stopped'; since: string };

export type ActiveRole<T extends Running> = {
  state(): RoleState;
  /** The running role while this process is the active one. */
  current(): T | undefined;
  stop(): Promise<void>;
};

export type ActiveRoleOptions<T extends Running> = {
  role: ProcessRole;
  database: Database;
  /** Postgres: other processes may run the same role, one active and the rest standing by. */
  url: string | undefined;
  pollMs: number;
  machine: string;
  logger: Logger;
  start(): Promise<T>;
  /** A takeover whose start failed: the process cannot do its job. */
  onFatal(err: unknown): void;
};

/**
 * Runs a role only while this process owns it. On the embedded database one process owns
 * everything by construction (the data directory's lock). On Postgres the owner holds the role's
 * session lock: the others stand by, try to take it every `pollMs`, and the owner checks it still
 * holds it as often; losing it stops the role at once, and the process stands by again.
 */
export async function startActiveRole<T extends Running>(
  options: ActiveRoleOptions<T>,
): Promise<ActiveRole<T>> {
  const { role, database, logger } = options;
  const owner = { role, machine: options.machine, pid: process.pid };
  let state: RoleState = { state: 'standby', since: new Date().toISOString() };
  let running: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let toldStandby = false;
  let cycle: Promise<void> = Promise.resolve();

  // Bumped when the lock is lost, so a start still under way when it happened is undone.
  let generation = 0;
  let aborting: Promise<void> = Promise.resolve();

  async function becomeActive(mine = generation): Promise<void> {
    await recordActiveRole(database.db, owner);
    if (mine !== generation) return;
    state = { state: 'active', since: new Date().toISOString() };
    logger.info({ machine: owner.machine }, 'this process is now the active one for its role');
    const started = await options.start();
    if (mine === generation) running = started;
    else await abort(started);
  }

  async function abort(target: T | undefined): Promise<void> {
    await (target?.abort ?? target?.stop)?.call(target).catch((err: unknown) => {
      logger.error({ err }, 'stopping the role after losing its lock failed');
    });
  }

  if (!options.url) {
    await becomeActive();
    return {
      state: () => state,
      current: () => running,
      async stop() {
        await running?.stop();
        running = undefined;
        state = { state: 'stopped', since: new Date().toISOString() };
        await clearActiveRole(database.db, owner).catch(() => {});
      },
    };
  }

  const lock: RoleLock = openRoleLock(options.url, role, {
    // With checks every pollMs (at most 3 s), a holder cut off from Postgres stops within 6 s,
    // before the server gives its lock away (10 s, see openRoleLock).
    checkTimeoutMs: 3_000,
    onLost: (reason) => {
      logger.error({ reason }, 'lost the role lock; stopping the role at once and standing by');
      // Not queued behind a check or a start: another process may be taking over right now.
      generation += 1;
      const stopping = running;
      running = undefined;
      state = { state: 'standby', since: new Date().toISOString() };
      toldStandby = false;
      aborting = aborting.then(() => abort(stopping));
    },
  });

  async function tick(): Promise<void> {
    if (stopped) return;
    if (state.state === 'active') return lock.check();
    await aborting;
    let taken: boolean;
    try {
      taken = await lock.tryTake();
    } catch (err) {
      logger.warn({ err }, 'could not reach the database to try the role lock');
      return;
    }
    if (stopped) return;
    if (!taken) {
      if (!toldStandby) {
        toldStandby = true;
        logger.info('another process is active for this role; standing by');
      }
      return;
    }
    // Postgres frees the lock the moment the old owner's session ends, a few milliseconds before
    // that owner (if it still runs) hears its connection close and stops: give it that time. With
    // no owner recorded, the last one stopped cleanly (or none ran): start at once.
    const mine = generation;
    if (await roleHasOwner(database.db, role)) await sleep(TAKEOVER_GRACE_MS);
    if (stopped || mine !== generation) return;
    await becomeActive(mine);
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      cycle = cycle.then(tick).catch((err: unknown) => {
        logger.fatal({ err }, 'taking over the role failed');
        options.onFatal(err);
      });
      void cycle.finally(schedule);
    }, options.pollMs);
  }

  // The first attempt runs before start-up returns, so a failing start stops start-up.
  try {
    await tick();
  } catch (err) {
    await lock.close().catch(() => {});
    throw err;
  }
  schedule();

  return {
    state: () => state,
    current: () => running,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await cycle.catch(() => {});
      await aborting;
      const wasActive = running;
      running = undefined;
      await wasActive?.stop();
      state = { state: 'stopped', since: new Date().toISOString() };
      if (wasActive) await clearActiveRole(database.db, owner).catch(() => {});
      // Released only now, so a standby starts after this process stopped sending.
      await lock.close();
    },
  };
}

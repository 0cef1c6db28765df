import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The file in DATA_DIR that says which process owns the embedded database. Two PGlite processes on
 * one data directory both run without an error and silently corrupt it, so nothing opens it
 * without holding this file. Backups of DATA_DIR should leave it out.
 */
export const DATA_DIR_LOCK_FILE = 'banditore.lock';

type Owner = {
  pid: number;
  host: string;
  since: string;
  /** Linux: this boot and the process's start tick, so a pid reused after a reboot is not taken for the owner. */
  boot?: string;
  started?: string;
  token: string;
};

export type LockLog = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type DataDirLock = { release(): void };

export class DataDirLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

const POLL_MS = 200;
// An unreadable lock file this old is a crash between creating and writing it.
const UNREADABLE_STALE_MS = 5_000;

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function processStart(pid: number | 'self'): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock is stale when its process is known to be gone: on this host, not running (or not the same one). */
function isStale(owner: Owner | undefined, file: string): boolean {
  if (!owner) {
    try {
      return Date.now() - statSync(file).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return false;
    }
  }
  if (owner.host !== hostname()) return false;
  const boot = readProc('/proc/sys/kernel/random/boot_id');
  if (owner.boot && boot && owner.boot !== boot) return true;
  if (!isAlive(owner.pid)) return true;
  const started = processStart(owner.pid);
  return Boolean(owner.started && started && owner.started !== started);
}

function describe(owner: Owner | undefined): string {
  return owner ? `process ${owner.pid} on host ${owner.host}, since ${owner.since}` : 'an unknown process';
}

function tryCreate(file: string, owner: Owner): boolean {
  try {
    writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {}
}

/**
 * Removes a stale lock. A second file, created the same exclusive way, makes sure two processes
 * that both found it stale do not remove each other's fresh lock.
 */
function takeOver(file: string, stale: Owner | undefined, log: LockLog): void {
  const guard = `${file}.takeover`;
  if (!tryCreate(guard, { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: '' })) {
    if (isStale(readOwner(guard), guard)) unlinkQuietly(guard);
    return;
  }
  try {
    const now = readOwner(file);
    if (now?.token !== stale?.token || !isStale(now, file)) return;
    unlinkSync(file);
    log.warn(
      { holder: describe(stale) },
      'the data directory lock was left by a process that is gone; taking it over',
    );
  } finally {
    unlinkQuietly(guard);
  }
}

/**
 * Takes the exclusive lock on an embedded data directory, waiting up to `waitMs` for its holder to
 * stop; throws DataDirLockedError with one line saying who holds it, since when, and what to do.
 */
export async function lockDataDir(
  dataDir: string,
  options: { waitMs: number; log: LockLog },
): Promise<DataDirLock> {
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  const boot = readProc('/proc/sys/kernel/random/boot_id');
  const started = processStart('self');
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(boot ? { boot } : {}),
    ...(started ? { started } : {}),
    token: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    if (tryCreate(file, owner)) break;
    const holder = readOwner(file);
    if (isStale(holder, file)) {
      takeOver(file, holder, options.log);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new DataDirLockedError(
        `the data directory ${dataDir} is in use by ${describe(holder)}; waited ${options.waitMs / 1000} s. ` +
          `Stop that process first (two processes on one embedded database corrupt it); if it is surely gone, delete ${file}`,
      );
    }
    if (!told) {
      told = true;
      options.log.info(
        { holder: describe(holder), waitSeconds: options.waitMs / 1000 },
        'the data directory is in use; waiting for it to be released',
      );
    }
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }

  // process.exit (a forced shutdown, a fatal error) skips every finally: release on the way out.
  const release = () => {
    process.off('exit', release);
    if (readOwner(file)?.token === owner.token) unlinkQuietly(file);
  };
  process.on('exit', release);
  return { release };
}

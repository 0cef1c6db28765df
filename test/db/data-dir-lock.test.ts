import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { DATA_DIR_LOCK_FILE, DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js';
import { migratedDataDir } from '../helpers/db-template.js';

function recordingLog() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (_obj: object, msg: string) => void lines.push(`info: ${msg}`),
      warn: (_obj: object, msg: string) => void lines.push(`warn: ${msg}`),
    },
  };
}

/** A pid that surely belongs to no process any more: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('the embedded data directory lock', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const clean of cleanup.splice(0)) clean();
  });

  function dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-lock-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'data');
  }

  it('holds the lock (pid, host, start time) while open, refuses a second open after waiting, releases it on close', {
    timeout: 60_000,
  }, async () => {
    const dir = dataDir();
    // A copy of the migrated directory: the lock, not initdb, is the subject (4 s of CPU less).
    const first = await openDatabase({ dataDir: await migratedDataDir(dir) });
    const file = join(dir, DATA_DIR_LOCK_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      since: expect.any(String),
    });
    try {
      const { lines, log } = recordingLog();
      const started = Date.now();
      const second = openDatabase({ dataDir: dir, lockWaitMs: 300, log });
      await expect(second).rejects.toThrow(DataDirLockedError);
      await expect(second).rejects.toThrow(
        new RegExp(`is in use by process ${process.pid} on host ${hostname()}, since .+; waited 0.3 s`),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(lines).toEqual(['info: the data directory is in use; waiting for it to be released']);
      // The first is untouched.
      expect(await first.db.execute('select 1')).toBeDefined();
    } finally {
      await first.close();
    }
    expect(existsSync(file)).toBe(false);
  });

  it('is taken as soon as its holder goes away within the wait', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    // A living process of this host holds it (the lock names it), then goes away.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    cleanup.push(() => holder.kill('SIGKILL'));
    writeFileSync(
      join(dir, DATA_DIR_LOCK_FILE),
      JSON.stringify({ pid: holder.pid, host: hostname(), since: new Date().toISOString(), token: 'x' }),
    );
    const locking = lockDataDir(dir, { waitMs: 30_000, log: recordingLog().log });
    setTimeout(() => holder.kill('SIGKILL'), 300);
    (await locking).release();
  });

  it('takes over a lock whose process is gone, and says so', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, DATA_DIR_LOCK_FILE),
      JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00.000Z', token: 'old' }),
    );
    const { lines, log } = recordingLog();
    const lock = await lockDataDir(dir, { waitMs: 0, log });
    expect(lines).toEqual([
      'warn: the data directory lock was left by a process that is gone; taking it over',
    ]);
    expect(JSON.parse(readFileSync(join(dir, DATA_DIR_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
  });

  it('takes over an unreadable lock file only once it is old (a crash while writing it)', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, DATA_DIR_LOCK_FILE);
    writeFileSync(file, '');
    await expect(lockDataDir(dir, { waitMs: 0, log: recordingLog().log })).rejects.toThrow(
      'is in use by an unknown process',
    );
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    (await lockDataDir(dir, { waitMs: 0, log: recordingLog().log })).release();
  });

  it('leaves a lock of another host alone: its process cannot be checked from here', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, DATA_DIR_LOCK_FILE),
      JSON.stringify({ pid: deadPid(), host: 'another-host', since: '2026-01-01T00:00:00.000Z', token: 'x' }),
    );
    await expect(lockDataDir(dir, { waitMs: 0, log: recordingLog().log })).rejects.toThrow(
      /in use by process \d+ on host another-host, since 2026-01-01T00:00:00.000Z; .+ delete .+banditore\.lock$/,
    );
  });
});

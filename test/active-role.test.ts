import { pino } from 'pino';
import postgres from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ActiveRole, type Running, startActiveRole } from '../src/active-role.js';
import { listActiveRoles, recordActiveRole } from '../src/core/active-roles.js';
import { createTestDatabase, engines, type TestDatabase } from './helpers/db.js';

const logger = pino({ level: 'silent' });

/** A role that records what was done to it, as the bridge would. */
function recordingRole(events: string[], name: string): () => Promise<Running> {
  return async () => {
    events.push(`${name} started`);
    return {
      stop: async () => {
        events.push(`${name} stopped`);
      },
      abort: async () => {
        events.push(`${name} aborted`);
      },
    };
  };
}

const postgresEngine = engines.find((e) => e.engine === 'postgres');

describe('startActiveRole', () => {
  let database: TestDatabase | undefined;
  const roles: ActiveRole<Running>[] = [];
  afterEach(async () => {
    for (const role of roles.splice(0)) await role.stop();
    await database?.drop();
    database = undefined;
  });

  async function start(name: string, events: string[], url: string | undefined) {
    const role = await startActiveRole({
      role: 'bridge',
      database: database!,
      url,
      pollMs: 100,
      machine: `machine-${name}`,
      logger,
      start: recordingRole(events, name),
      onFatal: (err) => {
        throw err;
      },
    });
    roles.push(role);
    return role;
  }

  it('on the embedded database starts at once, records the machine, and forgets it on stop', {
    timeout: 60_000,
  }, async () => {
    database = await createTestDatabase('pglite');
    const events: string[] = [];
    const role = await start('a', events, undefined);
    expect(events).toEqual(['a started']);
    expect(role.state().state).toBe('active');
    expect(await listActiveRoles(database.db)).toEqual([
      { role: 'bridge', machine: 'machine-a', pid: process.pid, since: expect.any(Date) },
    ]);
    await role.stop();
    roles.splice(0);
    expect(events).toEqual(['a started', 'a stopped']);
    expect(await listActiveRoles(database.db)).toEqual([]);
  });

  it.skipIf(!postgresEngine)(
    'on Postgres one copy is active and the other stands by until the active one stops',
    async () => {
      database = await createTestDatabase('postgres', postgresEngine!.url);
      const events: string[] = [];
      const a = await start('a', events, database.url);
      const b = await start('b', events, database.url);
      expect(a.state().state).toBe('active');
      expect(b.state().state).toBe('standby');
      expect(events).toEqual(['a started']);

      await a.stop();
      await vi.waitFor(() => expect(b.state().state).toBe('active'), { timeout: 5_000, interval: 20 });
      expect(events).toEqual(['a started', 'a stopped', 'b started']);
      expect(await listActiveRoles(database.db)).toEqual([
        { role: 'bridge', machine: 'machine-b', pid: process.pid, since: expect.any(Date) },
      ]);
    },
  );

  it.skipIf(!postgresEngine)(
    'on Postgres starts at once after a clean stop, and waits a second after an owner that did not stop cleanly',
    async () => {
      database = await createTestDatabase('postgres', postgresEngine!.url);
      const events: string[] = [];
      let began = performance.now();
      await (await start('a', events, database.url)).stop();
      roles.splice(0);
      const afterCleanStop = performance.now() - began;

      // A crashed or cut-off copy leaves its row behind: it may still be sending for a moment.
      await recordActiveRole(database.db, { role: 'bridge', machine: 'machine-gone', pid: 1 });
      began = performance.now();
      const b = await start('b', events, database.url);
      const afterCrash = performance.now() - began;

      expect(b.state().state).toBe('active');
      expect(events).toEqual(['a started', 'a stopped', 'b started']);
      // The first start also includes its stop; it still comes a good half second ahead.
      expect(afterCrash).toBeGreaterThanOrEqual(1_000);
      expect(afterCrash - afterCleanStop).toBeGreaterThan(500);
    },
  );

  it.skipIf(!postgresEngine)(
    'on Postgres losing the lock connection aborts the role at once, before any copy starts it again',
    async () => {
      database = await createTestDatabase('postgres', postgresEngine!.url);
      const events: string[] = [];
      const a = await start('a', events, database.url);
      const b = await start('b', events, database.url);
      expect(events).toEqual(['a started']);

      // The active copy's lock session dies (a network cut, an administrator): its role stops now.
      const admin = postgres(database.url!, { max: 1, onnotice: () => {} });
      try {
        const [holder] = await admin<{ pid: number }[]>`
          SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND a.datname = current_database()
            AND a.application_name = 'banditore bridge lock'`;
        await admin`SELECT pg_terminate_backend(${holder!.pid})`;
      } finally {
        await admin.end();
      }
      await vi.waitFor(() => expect(events).toContain('a aborted'), { timeout: 2_000, interval: 10 });
      // Whichever copy takes the lock next starts the role, and only one of them.
      await vi.waitFor(() => expect(events).toHaveLength(3), { timeout: 5_000, interval: 20 });
      expect(events.slice(0, 2)).toEqual(['a started', 'a aborted']);
      expect(['a started', 'b started']).toContain(events[2]);
      expect([a, b].map((role) => role.state().state).sort()).toEqual(['active', 'standby']);
    },
  );
});

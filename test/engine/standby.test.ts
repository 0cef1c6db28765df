import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BotApiServer, startBotApiServer } from '../helpers/bot-api.js';
import { createTestDatabase, engines } from '../helpers/db.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from '../helpers/program.js';
import {
  expectEverySubscriberOnce,
  jsonLines,
  prepareBulletin,
  sentLines,
  waitForSends,
} from '../helpers/sends.js';

const SUBSCRIBERS = 300;
const postgresUrl = engines.find((e) => e.engine === 'postgres')?.url;

type SocketEvent = { event: 'open' | 'end' | 'hang'; pid: number; at: number };
type Health = { role?: string; bot?: Record<string, unknown>; bridge?: Record<string, unknown> };

async function health(port: string): Promise<Health> {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<Health>;
}

async function waitForOwner(port: string, role: 'bot' | 'bridge', owner: string, program: Program) {
  await vi.waitFor(
    async () => {
      if (program.child.exitCode !== null) throw new Error(`program exited:\n${program.output()}`);
      expect((await health(port).catch((): Health => ({})))[role]?.owner).toBe(owner);
    },
    { timeout: 60_000, interval: 50 },
  );
}

/** The most sockets open at once, replaying every process's opens and ends in time order. */
function mostOpenAtOnce(events: { event: string; at: number }[]): number {
  let open = 0;
  let most = 0;
  const order = (e: { event: string }) => (e.event === 'end' ? 0 : 1);
  for (const e of [...events].sort((x, y) => x.at - y.at || order(x) - order(y))) {
    if (e.event === 'open') open += 1;
    if (e.event === 'end') open -= 1;
    most = Math.max(most, open);
  }
  return most;
}

describe.skipIf(!postgresUrl)('two copies of a role on one Postgres database', () => {
  const programs: Program[] = [];
  const apis: BotApiServer[] = [];
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const program of programs.splice(0)) await killProgram(program);
    for (const api of apis.splice(0)) await api.close();
    for (const clean of cleanup.splice(0)) await clean();
  });

  async function setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-standby-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase('postgres', postgresUrl);
    cleanup.push(() => database.drop());
    const start = async (role: 'bot' | 'bridge', extra: Record<string, string> = {}) => {
      const env = {
        ...(role === 'bot' ? botEnv : {}),
        DATABASE_URL: database.url!,
        PORT: String(await freePort()),
        STANDBY_POLL_SECONDS: '0.5',
        WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'recording-socket.ts'),
        SEND_PACING: 'off',
        STANDIN_SENT_FILE: join(dir, 'sent.jsonl'),
        STANDIN_SOCKETS_FILE: join(dir, 'sockets.jsonl'),
        LOG_LEVEL: 'warn',
        ...extra,
      };
      const program = startProgram([role], env);
      programs.push(program);
      return { program, port: env.PORT };
    };
    return { dir, database, start, sent: join(dir, 'sent.jsonl'), sockets: join(dir, 'sockets.jsonl') };
  }

  it('two bridges: one socket at any moment; after kill -9 of the active one the standby takes over within 15 s and everyone gets the bulletin once', async () => {
    const t = await setUp();
    const bulletinId = await prepareBulletin({ url: t.database.url! }, SUBSCRIBERS);
    // The active one sends slowly, so it is surely in the middle of the bulletin when it is killed.
    const a = await t.start('bridge', { STANDIN_SEND_MS: '100' });
    await waitForOwner(a.port, 'bridge', 'active', a.program);
    const b = await t.start('bridge', { STANDIN_SEND_MS: '3' });
    await waitForOwner(b.port, 'bridge', 'standby', b.program);
    const killAt =
      new Set(sentLines(t.sent).map((line) => line.jid)).size + 1 + Math.floor(Math.random() * 20);
    await waitForSends(t.sent, killAt, a.program);

    a.program.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.program.exited;
    const sentByA = sentLines(t.sent).length;
    expect(sentByA).toBeLessThan(SUBSCRIBERS);
    await waitForSends(t.sent, SUBSCRIBERS, b.program);
    expect((await health(b.port)).bridge).toMatchObject({ owner: 'active', link: 'open' });

    // Exactly one socket at any moment: B opened its first only after A was gone, A never again.
    const events = jsonLines<SocketEvent>(t.sockets);
    expect(mostOpenAtOnce([...events, { event: 'end', at: killedAt }])).toBe(1);
    const aPid = a.program.child.pid;
    const bPid = b.program.child.pid;
    expect(events.filter((e) => e.pid === aPid).map((e) => e.event)).toEqual(['open']);
    const bOpens = events.filter((e) => e.pid === bPid && e.event === 'open');
    expect(bOpens).toHaveLength(1);
    expect(bOpens[0]!.at).toBeGreaterThanOrEqual(killedAt);
    const takeoverMs = bOpens[0]!.at - killedAt;
    expect(takeoverMs).toBeLessThan(15_000);
    const sent = sentLines(t.sent);
    expect(sent.slice(0, sentByA).every((line) => line.pid === aPid)).toBe(true);
    expect(sent.slice(sentByA).every((line) => line.pid === bPid)).toBe(true);

    const { repeats } = await expectEverySubscriberOnce(
      { url: t.database.url! },
      bulletinId,
      SUBSCRIBERS,
      sent,
    );
    // biome-ignore lint/suspicious/noConsole: the suite's output reports the measured takeover
    console.info(
      `bridge takeover after kill -9 of the active one (${sentByA} of ${SUBSCRIBERS} sent): standby's socket open ${takeoverMs} ms later; ${repeats} sent again under the same id`,
    );
    b.program.child.kill('SIGTERM');
    expect(await b.program.exited, b.program.output()).toBe(0);
  }, 180_000);

  it('two bridges: when the active one loses its lock connection it ends its socket at once, before anyone opens another', async () => {
    const t = await setUp();
    await prepareBulletin({ url: t.database.url! }, 50);
    const a = await t.start('bridge', { STANDIN_SEND_MS: '100' });
    await waitForOwner(a.port, 'bridge', 'active', a.program);
    const b = await t.start('bridge');
    await waitForOwner(b.port, 'bridge', 'standby', b.program);
    await waitForSends(t.sent, 3, a.program);

    // Postgres ends the active one's lock session (a network cut, an administrator).
    const admin = postgres(t.database.url!, { max: 1, onnotice: () => {} });
    try {
      await admin`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'banditore bridge lock' AND pid IN (
          SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`;
    } finally {
      await admin.end();
    }
    await vi.waitFor(
      () => expect(jsonLines<SocketEvent>(t.sockets).filter((e) => e.event === 'open')).toHaveLength(2),
      { timeout: 15_000, interval: 20 },
    );
    const events = jsonLines<SocketEvent>(t.sockets);
    const aPid = a.program.child.pid;
    expect(
      events
        .filter((e) => e.pid === aPid)
        .map((e) => e.event)
        .slice(0, 2),
    ).toEqual(['open', 'end']);
    expect(mostOpenAtOnce(events)).toBe(1);
    // Whichever copy took the lock next finishes the bulletin.
    await waitForSends(t.sent, 50, b.program);
  }, 180_000);

  it('two bots: only the active one polls Telegram; after kill -9 the standby polls within 15 s', async () => {
    const t = await setUp();
    // One Bot API stand-in per copy, so each getUpdates is known to come from one of them.
    const apiA = await startBotApiServer();
    const apiB = await startBotApiServer();
    apis.push(apiA, apiB);
    const a = await t.start('bot', { TELEGRAM_API_ROOT: apiA.apiRoot });
    await waitForOwner(a.port, 'bot', 'active', a.program);
    await vi.waitFor(() => expect(apiA.calls('getUpdates').length).toBeGreaterThan(0), { timeout: 30_000 });
    const b = await t.start('bot', { TELEGRAM_API_ROOT: apiB.apiRoot });
    await waitForOwner(b.port, 'bot', 'standby', b.program);
    expect(await health(b.port)).toMatchObject({ role: 'bot', bot: { owner: 'standby' } });
    expect(apiB.calls('getUpdates')).toHaveLength(0);

    a.program.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.program.exited;
    await vi.waitFor(() => expect(apiB.calls('getUpdates').length).toBeGreaterThan(0), {
      timeout: 15_000,
      interval: 10,
    });
    const takeoverMs = Date.now() - killedAt;
    expect(await health(b.port)).toMatchObject({ bot: { owner: 'active', state: 'running' } });
    // biome-ignore lint/suspicious/noConsole: the suite's output reports the measured takeover
    console.info(`bot takeover after kill -9 of the active one: standby polling ${takeoverMs} ms later`);
    b.program.child.kill('SIGTERM');
    expect(await b.program.exited, b.program.output()).toBe(0);
  }, 180_000);
});

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATA_DIR_LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { type BotApiServer, messageUpdate, person, startBotApiServer } from '../helpers/bot-api.js';
import { migratedDataDir } from '../helpers/db-template.js';
import {
  botEnv,
  freePort,
  healthy,
  killProgram,
  type Program,
  root,
  startProgram,
} from '../helpers/program.js';
import {
  expectEverySubscriberOnce,
  jsonLines,
  prepareBulletin,
  sentLines,
  waitForSends,
} from '../helpers/sends.js';

type LogLine = { time: number; msg: string };

function logLines(program: Program): LogLine[] {
  return program
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function loggedAt(program: Program, msg: string): number {
  const line = logLines(program).find((l) => l.msg === msg);
  if (!line) throw new Error(`"${msg}" not logged:\n${program.output()}`);
  return line.time;
}

describe('one process per embedded data directory', () => {
  let api: BotApiServer | undefined;
  const programs: Program[] = [];
  const cleanup: (() => void)[] = [];
  afterEach(async () => {
    for (const program of programs.splice(0)) await killProgram(program);
    await api?.close();
    api = undefined;
    for (const clean of cleanup.splice(0)) clean();
  });

  async function setUp(subscribers: number) {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-owner-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = await migratedDataDir(join(dir, 'data'));
    const bulletinId = subscribers > 0 ? await prepareBulletin({ dataDir }, subscribers) : 0;
    api ??= await startBotApiServer();
    const env = async (extra: Record<string, string> = {}) => ({
      ...botEnv,
      DATA_DIR: dataDir,
      TELEGRAM_API_ROOT: api!.apiRoot,
      PORT: String(await freePort()),
      WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'recording-socket.ts'),
      SEND_PACING: 'off',
      STANDIN_SENT_FILE: join(dir, 'sent.jsonl'),
      STANDIN_SOCKETS_FILE: join(dir, 'sockets.jsonl'),
      ...extra,
    });
    const start = (variables: Record<string, string>) => {
      const program = startProgram([], variables);
      programs.push(program);
      return program;
    };
    return { dir, dataDir, bulletinId, env, start, sent: join(dir, 'sent.jsonl') };
  }

  it('a second program waits, then refuses with one line naming the holder; the first keeps sending and no row is lost', async () => {
    const subscribers = 200;
    const t = await setUp(subscribers);
    const first = t.start(await t.env({ STANDIN_SEND_MS: '25', LOG_LEVEL: 'warn' }));
    await waitForSends(t.sent, 5, first);

    const second = t.start(await t.env({ DATA_DIR_LOCK_WAIT_SECONDS: '1', LOG_LEVEL: 'error' }));
    expect(await second.exited).toBe(1);
    expect(second.output().trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^banditore: the data directory .+ is in use by process ${first.child.pid} on host .+, since \\d{4}-.+; waited 1 s\\. Stop that process first`,
        ),
      ),
    ]);

    // The first still answers the staff, and says it is the one at work.
    api!.push(messageUpdate({ chatId: Number(botEnv.STAFF_CHAT_ID), from: person(111), text: '/stato' }));
    await vi.waitFor(
      () =>
        expect(api!.calls('sendMessage').map((call) => call.text)).toContainEqual(
          expect.stringMatching(new RegExp(`Ponte WhatsApp attivo su .+ \\(processo ${first.child.pid}\\)`)),
        ),
      { timeout: 30_000, interval: 50 },
    );
    await waitForSends(t.sent, subscribers, first);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    // Only the first program ever had a socket; every row is where it should be.
    expect(new Set(jsonLines<{ pid: number }>(join(t.dir, 'sockets.jsonl')).map((l) => l.pid))).toEqual(
      new Set([first.child.pid]),
    );
    const { repeats } = await expectEverySubscriberOnce(
      { dataDir: t.dataDir },
      t.bulletinId,
      subscribers,
      sentLines(t.sent),
    );
    expect(repeats).toBe(0);
  }, 180_000);

  it('a program started right after SIGTERM waits for the stopping one and takes over without overlap', async () => {
    const subscribers = 6;
    const t = await setUp(subscribers);
    // Each send takes a second, so the first program is still finishing one when the second starts.
    const first = t.start(await t.env({ STANDIN_SEND_MS: '1000', LOG_LEVEL: 'info' }));
    await waitForSends(t.sent, 1, first);
    first.child.kill('SIGTERM');
    const second = t.start(await t.env({ STANDIN_SEND_MS: '3', LOG_LEVEL: 'info' }));

    expect(await first.exited, first.output()).toBe(0);
    await waitForSends(t.sent, subscribers, second);
    expect(loggedAt(second, 'database ready, migrations applied')).toBeGreaterThanOrEqual(
      loggedAt(first, 'stopped'),
    );
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
    await expectEverySubscriberOnce({ dataDir: t.dataDir }, t.bulletinId, subscribers, sentLines(t.sent));
  }, 180_000);

  it('a shutdown that runs past its deadline still closes the database and frees the data directory', async () => {
    const t = await setUp(3);
    const first = t.start(
      await t.env({ STANDIN_HANG_SENDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '0.5', LOG_LEVEL: 'info' }),
    );
    const sockets = join(t.dir, 'sockets.jsonl');
    await vi.waitFor(
      () => expect(jsonLines<{ event: string }>(sockets).map((l) => l.event)).toContain('hang'),
      { timeout: 60_000, interval: 20 },
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(1);
    expect(first.output()).toContain('shutdown took too long');
    expect(existsSync(join(t.dataDir, DATA_DIR_LOCK_FILE))).toBe(false);

    // The next start does not wait at all, and finds the database whole.
    const env = await t.env({ DATA_DIR_LOCK_WAIT_SECONDS: '0', LOG_LEVEL: 'warn' });
    const second = t.start(env);
    await healthy(env.PORT, second);
    await waitForSends(t.sent, 3, second);
  }, 180_000);
});

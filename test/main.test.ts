import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STARTING } from '../src/web-port.js';
import { type BotApiServer, startBotApiServer } from './helpers/bot-api.js';
import { migratedDataDir } from './helpers/db-template.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from './helpers/program.js';

describe('npm start', () => {
  let running: Program | undefined;
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
  });

  it('stops with one line per missing variable', async () => {
    running = startProgram([], {});
    expect(await running.exited).toBe(1);
    const lines = running.output().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^banditore: TELEGRAM_BOT_TOKEN: /),
      expect.stringMatching(/^banditore: STAFF_CHAT_ID: /),
      expect.stringMatching(/^banditore: ADMIN_TELEGRAM_IDS: /),
    ]);
  });

  it('refuses to run one role alone on the embedded database', async () => {
    running = startProgram(['bridge'], {});
    expect(await running.exited).toBe(1);
    expect(running.output()).toMatch(/DATABASE_URL: .*\(PGlite\) takes one process/);
  }, 60_000);

  /**
   * The program on an embedded database (new, or made and migrated already) against the Bot API
   * stand-in, with `socket` (a module in test/helpers) as its WhatsApp; stopped and cleaned up after
   * `body`.
   */
  async function onStandIns(
    socket: string,
    dataDirAtStart: 'new' | 'migrated',
    body: (ctx: { api: BotApiServer; port: number; program: Program }) => Promise<void>,
  ): Promise<void> {
    const api = await startBotApiServer();
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'banditore-data-'));
    try {
      running = startProgram([], {
        ...botEnv,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDirAtStart === 'new' ? dataDir : await migratedDataDir(join(dataDir, 'data')),
        PORT: String(port),
        WA_SOCKET_MODULE: join(root, 'test', 'helpers', socket),
      });
      await body({ api, port, program: running });
    } finally {
      await killProgram(running);
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('answers /healthz 503 "starting" until the bot and the bridge run, then 200', async () => {
    // A first start's initdb and migrations are not the subject: the database is made already.
    await onStandIns('slow-socket.ts', 'migrated', async ({ port, program }) => {
      const answers: { status: number; reasons: string[] }[] = [];
      while (answers.at(-1)?.status !== 200) {
        expect(program.child.exitCode, program.output()).toBeNull();
        const reply = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (reply)
          answers.push({
            status: reply.status,
            reasons: ((await reply.json()) as { reasons: string[] }).reasons,
          });
        await sleep(50);
      }
      // The port opens with the database, while the bridge's socket module still loads.
      expect(answers[0]).toEqual({ status: 503, reasons: [STARTING] });
      expect(answers.filter((a) => a.status !== 200).every((a) => a.reasons.includes(STARTING))).toBe(true);
    });
  }, 120_000);

  it('comes up on PGlite, posts the QR to the staff group, polls Telegram, answers /healthz and stops cleanly on SIGTERM', async () => {
    await onStandIns('child-socket.ts', 'new', async ({ api, port, program }) => {
      await vi.waitFor(() => expect(api.calls('sendPhoto').length).toBeGreaterThan(0), { timeout: 60_000 });
      expect(api.calls('sendPhoto')[0]).toMatchObject({
        chat_id: botEnv.STAFF_CHAT_ID,
        caption: expect.stringContaining('Dispositivi collegati'),
      });
      // Nobody is at a terminal: the QR stays out of the logs.
      expect(program.output()).not.toContain('banditore-test-qr');
      await vi.waitFor(() => expect(api.calls('getUpdates').length).toBeGreaterThan(0), { timeout: 30_000 });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        role: 'all',
        bot: { state: 'running' },
        bridge: { link: 'waiting_for_link', linked: false },
      });
      expect(program.output()).not.toContain(botEnv.TELEGRAM_BOT_TOKEN);

      program.child.kill('SIGTERM');
      expect(await program.exited).toBe(0);
    });
  }, 120_000);
});

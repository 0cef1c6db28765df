import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startBotApiServer } from './helpers/bot-api.js';

const root = resolve(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'src', 'main.ts');

type Program = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts the real program as a person would, from an empty directory (so no .env is read). */
function startProgram(args: string[], env: Record<string, string>): Program {
  const cwd = mkdtempSync(join(tmpdir(), 'banditore-main-'));
  const child = spawn(tsx, [main, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => {
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      done(code);
    });
  });
  return { child, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const botEnv = {
  TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRsTUVwxyZ012345',
  STAFF_CHAT_ID: '-1001234567890',
  ADMIN_TELEGRAM_IDS: '111',
};

describe('npm start', () => {
  let running: Program | undefined;
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
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
  });

  it('comes up on PGlite, posts the QR to the staff group, polls Telegram, answers /healthz and stops cleanly on SIGTERM', async () => {
    const api = await startBotApiServer();
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'banditore-data-'));
    try {
      running = startProgram([], {
        ...botEnv,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        PORT: String(port),
        WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'child-socket.ts'),
      });
      await vi.waitFor(() => expect(api.calls('sendPhoto').length).toBeGreaterThan(0), { timeout: 30_000 });
      expect(api.calls('sendPhoto')[0]).toMatchObject({
        chat_id: botEnv.STAFF_CHAT_ID,
        caption: expect.stringContaining('Dispositivi collegati'),
      });
      // Nobody is at a terminal: the QR stays out of the logs.
      expect(running.output()).not.toContain('banditore-test-qr');
      await vi.waitFor(() => expect(api.calls('getUpdates').length).toBeGreaterThan(0), { timeout: 10_000 });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        role: 'all',
        bot: { state: 'running' },
        bridge: { link: 'waiting_for_link', linked: false },
      });
      expect(running.output()).not.toContain(botEnv.TELEGRAM_BOT_TOKEN);

      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

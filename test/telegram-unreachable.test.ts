import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { subscribers } from '../src/db/schema.js';
import { type BotApiServer, startBotApiServer } from './helpers/bot-api.js';
import { standInLid } from './helpers/chatty-socket.js';
import { migratedDataDir } from './helpers/db-template.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from './helpers/program.js';
import { approvedBulletin, seededJid, seedSubscribers } from './helpers/seed.js';

const SUBSCRIBERS = 5;
const CITIZENS = ['393331112201', '393331112202', '393331112203'];

function sentJids(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => (JSON.parse(line) as { jid: string }).jid);
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the real program while Telegram is unreachable', () => {
  let running: Program | undefined;
  let api: BotApiServer | undefined;
  const cleanup: (() => void)[] = [];
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
    await api?.close();
    api = undefined;
    for (const clean of cleanup.splice(0)) clean();
  });

  /** A PGlite data directory with subscribers and one approved bulletin, and the program's env. */
  async function prepare(logLevel: string) {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-offline-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await openDatabase({ dataDir: await migratedDataDir(join(dir, 'data')) });
    try {
      await seedSubscribers(database.db, SUBSCRIBERS);
      await approvedBulletin(database.db, 'Avviso: domani acqua sospesa in via Roma.');
    } finally {
      await database.close();
    }
    // Nothing listens there: every call to Telegram is refused.
    const telegramPort = await freePort();
    const port = await freePort();
    const env = {
      ...botEnv,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${telegramPort}`,
      DATA_DIR: join(dir, 'data'),
      PORT: String(port),
      WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'chatty-socket.ts'),
      STANDIN_SENT_FILE: join(dir, 'sent.jsonl'),
      STANDIN_INBOUND: CITIZENS.join(','),
      SEND_PACING: 'off',
      LOG_LEVEL: logLevel,
    };
    return { env, port, telegramPort };
  }

  /** Every seeded subscriber has the bulletin (the stand-in records bulletin sends only). */
  async function waitForBulletin(file: string) {
    const expected = Array.from({ length: SUBSCRIBERS }, (_, n) => seededJid(n + 1));
    await vi.waitFor(
      () => {
        if (running?.child.exitCode !== null) throw new Error(`program exited:\n${running?.output()}`);
        expect(new Set(sentJids(file))).toEqual(new Set(expected));
      },
      { timeout: 60_000, interval: 50 },
    );
  }

  /** The citizens who wrote "Iscrizione" while Telegram was away, as the database holds them. */
  async function subscribedCitizens(dataDir: string): Promise<string[]> {
    const database = await openDatabase({ dataDir });
    try {
      const rows = await database.db
        .select({ phoneJid: subscribers.phoneJid })
        .from(subscribers)
        .where(
          inArray(
            subscribers.phoneJid,
            CITIZENS.map((number) => `${number}@s.whatsapp.net`),
          ),
        );
      return rows.map((row) => row.phoneJid ?? '').sort();
    } finally {
      await database.close();
    }
  }

  it('sends bulletins, answers citizens and reports healthy while the bot retries, and starts the bot once Telegram answers', async () => {
    const { env, port, telegramPort } = await prepare('info');

    running = startProgram([], env);
    await vi.waitFor(async () => expect((await health(port)).status).toBe(200), { timeout: 60_000 });
    await waitForBulletin(env.STANDIN_SENT_FILE);
    const meanwhile = await health(port);
    expect(meanwhile).toMatchObject({
      status: 200,
      body: { ok: true, reasons: [], bot: { state: 'starting' } },
    });
    expect(running.output()).toContain('telegram unreachable; retrying');

    api = await startBotApiServer({ port: telegramPort });
    await vi.waitFor(() => expect(api?.calls('getUpdates').length).toBeGreaterThan(0), { timeout: 60_000 });
    expect((await health(port)).body).toMatchObject({ ok: true, bot: { state: 'running' } });

    running.child.kill('SIGTERM');
    expect(await running.exited, running.output()).toBe(0);
    expect(await subscribedCitizens(env.DATA_DIR)).toEqual(CITIZENS.map((n) => `${n}@s.whatsapp.net`));
  }, 180_000);

  it('prints neither the bot token nor any subscriber’s number or LID, at trace level', async () => {
    const { env, port } = await prepare('trace');

    running = startProgram([], env);
    await waitForBulletin(env.STANDIN_SENT_FILE);
    await vi.waitFor(() => expect(running?.output()).toContain('Failed to encrypt for recipient'));
    // At least two failed tries to reach Telegram, each an error carrying the request's URL.
    await vi.waitFor(
      () => expect(running?.output().match(/telegram unreachable; retrying/g)?.length).toBeGreaterThan(1),
      { timeout: 10_000 },
    );
    expect((await health(port)).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    const output = running.output();
    expect(output).toContain('/bot[redacted]/getMe');
    const token = botEnv.TELEGRAM_BOT_TOKEN;
    const secrets = [
      token,
      token.split(':')[1]!,
      ...CITIZENS,
      ...CITIZENS.map((_, n) => standInLid(n).split('@')[0]!),
      ...Array.from({ length: SUBSCRIBERS }, (_, n) => seededJid(n + 1).split('@')[0]!),
    ];
    for (const secret of secrets) expect(output).not.toContain(secret);
  }, 180_000);
});

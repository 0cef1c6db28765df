import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDraft } from '../src/core/bulletins.js';
import { openDatabase } from '../src/db/client.js';
import {
  type BotApiServer,
  callbackUpdate,
  person,
  startBotApiServer,
  textMessage,
} from './helpers/bot-api.js';
import { createTestDatabase, engines } from './helpers/db.js';
import { migratedDataDir } from './helpers/db-template.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from './helpers/program.js';
import { seedSubscribers } from './helpers/seed.js';
import { jsonLines, sentLines } from './helpers/sends.js';

const SUBSCRIBERS = 1_000;
const INSTANT = ['whatsapp_channel', 'telegram_channel', 'archive'] as const;
type Posted = { outlet: string; bulletinId: number; at: number };

describe('one approval, every outlet (the real program, pacing on)', () => {
  let api: BotApiServer | undefined;
  let running: Program | undefined;
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
    await api?.close();
    api = undefined;
    for (const clean of cleanup.splice(0)) await clean();
  });

  it.each(engines)(
    'the instant outlets publish within 5 s of the approval while the 1:1 sends go on ($engine)',
    async ({ engine, url }) => {
      const dir = mkdtempSync(join(tmpdir(), 'banditore-outlets-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      let target: { url?: string; dataDir?: string } = {};
      if (engine === 'pglite') target = { dataDir: await migratedDataDir(join(dir, 'data')) };
      if (engine === 'postgres') {
        const database = await createTestDatabase(engine, url);
        cleanup.push(() => database.drop());
        target = { url: database.url };
      }
      const database = await openDatabase(target);
      await seedSubscribers(database.db, SUBSCRIBERS);
      // Drafted by someone else than the approvatore (111, the configured admin).
      const draft = await createDraft(database.db, {
        authorId: 222,
        adminIds: [222],
        text: 'Strada provinciale chiusa per frana fino a nuovo avviso.',
        outlets: ['whatsapp', ...INSTANT],
      });
      await database.close();

      api = await startBotApiServer();
      const env = {
        ...botEnv,
        ...(target.url ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir! }),
        TELEGRAM_API_ROOT: api.apiRoot,
        PORT: String(await freePort()),
        WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'recording-socket.ts'),
        OUTLETS_MODULE: join(root, 'test', 'helpers', 'recording-outlets-module.ts'),
        OUTLETS_RECORD_FILE: join(dir, 'posted.jsonl'),
        STANDIN_SENT_FILE: join(dir, 'sent.jsonl'),
        SEND_WINDOW: '00:00-24:00',
        REQUIRE_SECOND_APPROVER: 'false',
        LOG_LEVEL: 'warn',
      };
      running = startProgram([], env);
      // The bot is up when it has set its command menu.
      await vi.waitFor(() => expect(api!.calls('setMyCommands').length).toBeGreaterThan(0), {
        timeout: 60_000,
        interval: 50,
      });

      const staffChat = Number(botEnv.STAFF_CHAT_ID);
      const preview = textMessage({ chatId: staffChat, from: person(1), text: 'anteprima' });
      const approvedAt = Date.now();
      api.push(callbackUpdate({ from: person(111), data: `approve:${draft.id}:1`, message: preview }));

      const file = env.OUTLETS_RECORD_FILE;
      await vi.waitFor(
        () => {
          if (running!.child.exitCode !== null) throw new Error(`program exited:\n${running!.output()}`);
          expect(new Set(jsonLines<Posted>(file).map((line) => line.outlet))).toEqual(new Set(INSTANT));
        },
        { timeout: 30_000, interval: 20 },
      );
      const posted = jsonLines<Posted>(file);
      const delays = Object.fromEntries(posted.map((line) => [line.outlet, line.at - approvedAt]));
      // biome-ignore lint/suspicious/noConsole: the suite's output reports the measured times
      console.info(`${engine}: approval to publication (ms): ${JSON.stringify(delays)}`);
      expect(posted).toHaveLength(INSTANT.length);
      for (const line of posted) {
        expect(line.bulletinId).toBe(draft.id);
        expect(line.at - approvedAt).toBeLessThan(5_000);
      }
      // The paced 1:1 sends have only begun.
      expect(sentLines(env.STANDIN_SENT_FILE).length).toBeLessThan(SUBSCRIBERS);
      await vi.waitFor(() => expect(sentLines(env.STANDIN_SENT_FILE).length).toBeGreaterThan(0), {
        timeout: 30_000,
        interval: 50,
      });
      expect(sentLines(env.STANDIN_SENT_FILE).length).toBeLessThan(SUBSCRIBERS);
    },
    300_000,
  );
});

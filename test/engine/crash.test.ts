import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotApiServer, startBotApiServer } from '../helpers/bot-api.js';
import { createTestDatabase, engines } from '../helpers/db.js';
import { migratedDataDir } from '../helpers/db-template.js';
import { type PgCluster, postgresBinDir, startPgCluster } from '../helpers/pg-cluster.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from '../helpers/program.js';
import { expectEverySubscriberOnce, prepareBulletin, sentLines, waitForSends } from '../helpers/sends.js';

const SUBSCRIBERS = 300;

describe('the real program, killed or cut off from its database in the middle of a send', () => {
  let api: BotApiServer | undefined;
  let running: Program | undefined;
  const cleanup: (() => void)[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
    await api?.close();
    api = undefined;
    for (const clean of cleanup.splice(0)) clean();
    for (const drop of drops.splice(0)) await drop();
  });

  async function programEnv(dir: string, database: Record<string, string>) {
    api ??= await startBotApiServer();
    return {
      ...botEnv,
      ...database,
      TELEGRAM_API_ROOT: api.apiRoot,
      PORT: String(await freePort()),
      WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'recording-socket.ts'),
      SEND_PACING: 'off',
      STANDIN_SENT_FILE: join(dir, 'sent.jsonl'),
      LOG_LEVEL: 'warn',
    };
  }

  it.each(engines)(
    'SIGKILL at a random point ($engine): after a restart everyone has the bulletin once, repeats under the same id',
    async ({ engine, url }) => {
      const dir = mkdtempSync(join(tmpdir(), 'banditore-crash-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      let target: { url?: string; dataDir?: string } = {};
      if (engine === 'pglite') target = { dataDir: await migratedDataDir(join(dir, 'data')) };
      if (engine === 'postgres') {
        const database = await createTestDatabase(engine, url);
        drops.push(() => database.drop());
        target = { url: database.url };
      }
      const bulletinId = await prepareBulletin(target, SUBSCRIBERS);
      const env = await programEnv(
        dir,
        target.url ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir! },
      );
      const killAt = 10 + Math.floor(Math.random() * (SUBSCRIBERS - 60));

      running = startProgram([], env);
      await waitForSends(env.STANDIN_SENT_FILE, killAt, running);
      running.child.kill('SIGKILL');
      await running.exited;
      const beforeRestart = sentLines(env.STANDIN_SENT_FILE).length;
      expect(beforeRestart).toBeLessThan(SUBSCRIBERS);

      // Another port: the killed life's may be taken meanwhile (an outgoing connection's).
      running = startProgram([], { ...env, PORT: String(await freePort()) });
      await waitForSends(env.STANDIN_SENT_FILE, SUBSCRIBERS, running);
      running.child.kill('SIGTERM');
      expect(await running.exited, running.output()).toBe(0);

      const { repeats } = await expectEverySubscriberOnce(
        target,
        bulletinId,
        SUBSCRIBERS,
        sentLines(env.STANDIN_SENT_FILE),
      );
      // biome-ignore lint/suspicious/noConsole: the suite's output reports what each crash did
      console.info(
        `${engine}: kill -9 after ${beforeRestart} sends of ${SUBSCRIBERS}: ${repeats} sent again under the same id`,
      );
    },
    120_000,
  );

  const bin = postgresBinDir();
  it.skipIf(!process.env.TEST_DATABASE_URL || !bin)(
    'Postgres restarted in the middle of a send: the program carries on and everyone has the bulletin once',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'banditore-crash-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const cluster: PgCluster = await startPgCluster(bin!, await freePort());
      cleanup.unshift(() => cluster.destroy());
      const bulletinId = await prepareBulletin({ url: cluster.url }, SUBSCRIBERS);
      const env = await programEnv(dir, { DATABASE_URL: cluster.url });
      const restartAt = 10 + Math.floor(Math.random() * (SUBSCRIBERS - 60));

      running = startProgram([], env);
      await waitForSends(env.STANDIN_SENT_FILE, restartAt, running);
      await cluster.restart(500);
      const beforeRestart = sentLines(env.STANDIN_SENT_FILE).length;
      await waitForSends(env.STANDIN_SENT_FILE, SUBSCRIBERS, running);
      running.child.kill('SIGTERM');
      expect(await running.exited, running.output()).toBe(0);

      const { repeats } = await expectEverySubscriberOnce(
        { url: cluster.url },
        bulletinId,
        SUBSCRIBERS,
        sentLines(env.STANDIN_SENT_FILE),
      );
      // biome-ignore lint/suspicious/noConsole: the suite's output reports what each crash did
      console.info(
        `Postgres restarted after ${beforeRestart} sends of ${SUBSCRIBERS}: ${repeats} sent again under the same id`,
      );
    },
    120_000,
  );
});

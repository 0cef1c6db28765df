import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliveryMessageId, messageIdSecret } from '../../src/core/message-id.js';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { type BotApiServer, startBotApiServer } from '../helpers/bot-api.js';
import { createTestDatabase, engines } from '../helpers/db.js';
import { type PgCluster, postgresBinDir, startPgCluster } from '../helpers/pg-cluster.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from '../helpers/program.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';

const SUBSCRIBERS = 300;

type Sent = { jid: string; id: string };

function sentLines(file: string): Sent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as Sent);
}

/** Seeds the subscribers and queues one approved bulletin; returns its id. */
async function prepare(options: { url?: string; dataDir?: string }): Promise<number> {
  const database = await openDatabase(options);
  try {
    await seedSubscribers(database.db, SUBSCRIBERS);
    const { id, queued } = await approvedBulletin(database.db, 'Avviso: domani acqua sospesa in via Roma.');
    expect(queued).toBe(SUBSCRIBERS);
    return id;
  } finally {
    await database.close();
  }
}

/** What every subscriber's phone holds, and the message ids the database derived for them. */
async function expectEverySubscriberOnce(
  options: { url?: string; dataDir?: string },
  bulletinId: number,
  sent: Sent[],
): Promise<{ repeats: number }> {
  const database = await openDatabase(options);
  try {
    const rows = rowsOf<{ subscriber_id: number; phone_jid: string; status: string; message_id: string }>(
      await database.db.execute(sql`
        SELECT d.subscriber_id, s.phone_jid, d.state AS status, d.message_id
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.bulletin_id = ${bulletinId}`),
    );
    expect(rows).toHaveLength(SUBSCRIBERS);
    const idOf = new Map(rows.map((row) => [row.phone_jid, row.message_id]));
    const secret = await messageIdSecret(database.db);
    for (const row of rows) {
      expect(row.status).toBe('sent');
      expect(row.message_id).toBe(deliveryMessageId(secret, bulletinId, row.subscriber_id));
    }
    // Every subscriber got it; every copy that reached WhatsApp carries their one message id.
    const jids = new Set(sent.map((line) => line.jid));
    for (let n = 1; n <= SUBSCRIBERS; n++) expect(jids.has(seededJid(n))).toBe(true);
    for (const line of sent) expect(line.id).toBe(idOf.get(line.jid));
    return { repeats: sent.length - jids.size };
  } finally {
    await database.close();
  }
}

async function waitForSends(file: string, count: number, program: Program): Promise<void> {
  await vi.waitFor(
    () => {
      if (program.child.exitCode !== null) throw new Error(`program exited:\n${program.output()}`);
      expect(new Set(sentLines(file).map((line) => line.jid)).size).toBeGreaterThanOrEqual(count);
    },
    { timeout: 60_000, interval: 5 },
  );
}

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
      let target: { url?: string; dataDir?: string } = { dataDir: join(dir, 'data') };
      if (engine === 'postgres') {
        const database = await createTestDatabase(engine, url);
        drops.push(() => database.drop());
        target = { url: database.url };
      }
      const bulletinId = await prepare(target);
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

      running = startProgram([], env);
      await waitForSends(env.STANDIN_SENT_FILE, SUBSCRIBERS, running);
      running.child.kill('SIGTERM');
      expect(await running.exited, running.output()).toBe(0);

      const { repeats } = await expectEverySubscriberOnce(
        target,
        bulletinId,
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
      const bulletinId = await prepare({ url: cluster.url });
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

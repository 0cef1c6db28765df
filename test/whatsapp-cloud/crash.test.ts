import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { APP_SECRET, cloudEnv } from '../helpers/cloud.js';
import { createTestDatabase, engines } from '../helpers/db.js';
import { migratedDataDir } from '../helpers/db-template.js';
import { type GraphStandIn, startGraphStandIn } from '../helpers/graph-api.js';
import { botEnv, freePort, killProgram, type Program, startProgram } from '../helpers/program.js';
import { sampleValue, scrape } from '../helpers/prometheus.js';
import { prepareBulletin } from '../helpers/sends.js';

const SUBSCRIBERS = 300;
/** Calls from this one on are taken by the stand-in (a wamid, a status) but never answered. */
const HANG_FROM = 120;

describe('the real program on the Cloud API, killed in the middle of a send', () => {
  let graph: GraphStandIn | undefined;
  let running: Program | undefined;
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
    await graph?.close();
    graph = undefined;
    for (const clean of cleanup.splice(0)) await clean();
  });

  it.each(engines)(
    'SIGKILL with calls on the wire ($engine): after a restart their status webhooks settle them, nobody gets it twice',
    async ({ engine, url }) => {
      const dir = mkdtempSync(join(tmpdir(), 'banditore-cloud-crash-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      let target: { url?: string; dataDir?: string } = {};
      if (engine === 'pglite') target = { dataDir: await migratedDataDir(join(dir, 'data')) };
      else {
        const database = await createTestDatabase(engine, url);
        cleanup.push(() => database.drop());
        target = { url: database.url };
      }
      const bulletinId = await prepareBulletin(target, SUBSCRIBERS);
      graph = await startGraphStandIn();
      const port = await freePort();
      const env = {
        ...botEnv,
        ...(target.url ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir! }),
        ...cloudEnv(graph.apiRoot, {
          WA_CLOUD_RATE_PER_SECOND: '80',
          WA_CLOUD_DAILY_LIMIT: '10000',
          // Also the lease of a claim: the restarted program claims the killed one's deliveries
          // once it has run out. Counted from the restart, it leaves the statuses (queued at the
          // stand-in, posted as soon as the web port answers) seconds to arrive.
          WA_CLOUD_RECONCILE_SECONDS: '6',
        }),
        TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      };
      graph.hangFrom(HANG_FROM);
      running = startProgram([], env);
      await vi.waitFor(
        () => {
          if (running!.child.exitCode !== null) throw new Error(`program exited:\n${running!.output()}`);
          expect(graph!.calls.length).toBeGreaterThanOrEqual(HANG_FROM + 5);
        },
        { timeout: 120_000, interval: 20 },
      );
      running.child.kill('SIGKILL');
      await running.exited;
      const onTheWire = graph.calls.length - HANG_FROM + 1;
      graph.hangFrom(undefined);

      // Meta posts the statuses it holds (those of the lost answers too) once the webhook answers.
      graph.sendStatusesTo(`http://127.0.0.1:${port}/webhooks/whatsapp`, APP_SECRET);
      running = startProgram([], env);
      await vi.waitFor(
        () => {
          if (running!.child.exitCode !== null) throw new Error(`program exited:\n${running!.output()}`);
          expect(new Set(graph!.accepted().map((c) => c.to)).size).toBe(SUBSCRIBERS);
        },
        { timeout: 120_000, interval: 50 },
      );
      // Sends waiting for their status are settled once it comes in; the program's own gauge tells
      // (PGlite's directory belongs to the program: the test reads it after the program stopped).
      await vi.waitFor(
        async () => {
          const { samples } = await scrape(`http://127.0.0.1:${port}/metrics`);
          expect(sampleValue(samples, 'banditore_recent_deliveries', { state: 'sent' })).toBe(SUBSCRIBERS);
        },
        { timeout: 30_000, interval: 100 },
      );
      running.child.kill('SIGTERM');
      expect(await running.exited, running.output()).toBe(0);

      const perRecipient = new Map<string, number>();
      for (const call of graph.accepted()) perRecipient.set(call.to, (perRecipient.get(call.to) ?? 0) + 1);
      const twice = [...perRecipient.values()].filter((n) => n > 1).length;
      expect(twice).toBe(0);
      const after = await openDatabase(target);
      try {
        const states = rowsOf<{ state: string; n: string | number }>(
          await after.db.execute(sql`
            SELECT state, count(*) AS n FROM deliveries WHERE bulletin_id = ${bulletinId} GROUP BY state`),
        );
        expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['sent', SUBSCRIBERS]]);
        const [dup] = rowsOf<{ n: string | number }>(
          await after.db.execute(sql`SELECT count(*) AS n FROM cloud_sends WHERE possible_duplicate`),
        );
        // Only a call recorded in flight that never reached the API (killed in between) lacks a
        // status: it is sent again and counted; the stand-in shows nobody got two copies.
        expect(Number(dup?.n)).toBeLessThanOrEqual(16);
      } finally {
        await after.close();
      }
      // biome-ignore lint/suspicious/noConsole: the suite's output reports what the crash did
      console.info(
        `${engine}: SIGKILL with ${onTheWire} calls unanswered: settled by webhook, none sent twice`,
      );
    },
    360_000,
  );
});

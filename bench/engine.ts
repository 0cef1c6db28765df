import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { queueDeliveries } from '../src/core/deliveries.js';
import { startEngine } from '../src/core/engine.js';
import { type Database, openDatabase, rowsOf } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { startBridge } from '../src/whatsapp/bridge.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../test/helpers/seed.js';
import { bridgeConfig } from '../test/helpers/wa-socket.js';
import { zeroLatencySocket } from './zero-socket.js';

/**
 * One engine's run, in its own process so its peak RSS is its own: fan-out of SUBSCRIBERS, the
 * same fan-out again, the sender draining them with a zero-latency socket and pacing off, then
 * the time from an approval's commit to its first send. Prints one JSON line on stdout.
 */
const engine = process.argv[2] === 'postgres' ? 'postgres' : 'pglite';
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const progress = (line: string) => {
  const memory = process.memoryUsage();
  process.stderr.write(
    `bench ${engine}: ${line} (rss ${mb(memory.rss)} MB, heap ${mb(memory.heapUsed)} MB, wasm/buffers ${mb(memory.arrayBuffers)} MB)\n`,
  );
};

async function sentCount(database: Database): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await database.db.execute(sql`SELECT count(*)::int AS n FROM deliveries WHERE state = 'sent'`),
  );
  return rows[0]?.n ?? 0;
}

async function bulletinState(database: Database, id: number): Promise<string | undefined> {
  const rows = rowsOf<{ state: string }>(
    await database.db.execute(sql`SELECT state FROM bulletins WHERE id = ${id}`),
  );
  return rows[0]?.state;
}

async function until(condition: () => Promise<boolean>, everyMs = 5): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, everyMs));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A fresh database: on the BENCH_DATABASE_URL server, or PGlite on disk as DATA_DIR has it. */
async function openBenchDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  if (engine === 'postgres') {
    const database = await createTestDatabase('postgres', process.env.BENCH_DATABASE_URL);
    return { database, drop: database.drop };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'banditore-bench-'));
  const database = await openDatabase({ dataDir });
  return {
    database,
    drop: async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { database, drop } = await openBenchDatabase();
  try {
    progress(`seeding ${SUBSCRIBERS} subscribers`);
    await seedSubscribers(database.db, SUBSCRIBERS);

    progress('fan-out');
    let start = performance.now();
    const first = await approvedBulletin(database.db, 'Avviso di prova: domani mercato in piazza.');
    const fanOutMs = performance.now() - start;
    start = performance.now();
    const again = await queueDeliveries(database.db, first.id);
    const refanOutMs = performance.now() - start;

    progress(`sending ${first.queued}`);
    const zero = zeroLatencySocket();
    const bridge = await startBridge({
      config: bridgeConfig({ sendPacing: 'off' }),
      database,
      logger: createLogger('warn'),
      makeSocket: zero.makeSocket,
    });
    // Core's engine closes bulletins (the sender only drains them), as main.ts runs it beside the
    // bridge; its tick is short so each approval below finds the last bulletin closed at once.
    const engineLoop = await startEngine({
      db: database.db,
      listen: database.listen,
      outlets: [],
      logger: createLogger('warn'),
      link: { publicBaseUrl: undefined, bulletinLink: false },
      tickMs: 50,
    });
    start = performance.now();
    let shown = 0;
    await until(async () => {
      if (zero.relayed() - shown >= 20_000) {
        shown = zero.relayed();
        progress(`${shown} sent`);
      }
      return zero.relayed() >= first.queued && (await sentCount(database)) >= first.queued;
    });
    const sendSeconds = (performance.now() - start) / 1000;

    progress(`${SAMPLES} approvals, time to first send`);
    // Keep 100 subscribers, so each sample's bulletin is sent out before the next approval.
    await database.db.execute(sql`UPDATE subscriptions SET left_at = now() WHERE subscriber_id > 100`);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      let firstAt = 0;
      zero.onRelay = () => {
        firstAt ||= performance.now();
      };
      const sample = await approvedBulletin(database.db, `Avviso di prova n. ${i}`);
      const committedAt = performance.now();
      // The next approval finds the sender idle, as a real one does: the bulletin is closed.
      await until(async () => (await bulletinState(database, sample.id)) === 'sent', 25);
      await new Promise((resolve) => setTimeout(resolve, 20));
      latencies.push(Math.max(0, firstAt - committedAt));
    }
    latencies.sort((a, b) => a - b);
    progress('done');
    await engineLoop.stop();
    await bridge.stop();

    const result = {
      engine,
      subscribers: SUBSCRIBERS,
      fanOutMs: Math.round(fanOutMs),
      fanOutRows: first.queued,
      refanOutMs: Math.round(refanOutMs),
      refanOutRows: again,
      deliveriesPerSecond: Math.round(first.queued / sendSeconds),
      sendSeconds: Number(sendSeconds.toFixed(2)),
      firstSendMedianMs: Number(percentile(latencies, 50).toFixed(2)),
      firstSendP99Ms: Number(percentile(latencies, 99).toFixed(2)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await drop();
  }
}

await main();

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import postgres from 'postgres';
import { createTestDatabase } from '../test/helpers/db.js';

/**
 * The peer on the same Postgres server: graphile-worker doing our work's shape, JOBS no-op jobs
 * added in one addJobs call and completed with its batching on (a local queue, batched
 * completions, prepared statements, Node's clock), then SAMPLES single jobs timed from the add's
 * return to the task running. Prints one JSON line on stdout. Postgres only: graphile-worker
 * needs a server (its own pool, LISTEN/NOTIFY), which PGlite is not.
 */
const JOBS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  // A database of its own on the same server, so neither run sees the other's tables.
  const database = await createTestDatabase('postgres', process.env.BENCH_DATABASE_URL);
  const connectionString = database.url!;
  const sql = postgres(connectionString, { max: 1, onnotice: () => {} });
  let onRun: (() => void) | undefined;
  const logger = new Logger(() => () => {});
  const utils = await makeWorkerUtils({ connectionString, logger });
  try {
    await utils.migrate();
    const runner = await run({
      connectionString,
      concurrency: 10,
      pollInterval: 1_000,
      noHandleSignals: true,
      logger,
      useNodeTime: true,
      preset: {
        worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, preparedStatements: true },
      },
      taskList: {
        noop: async () => {
          onRun?.();
        },
      },
    });
    let start = performance.now();
    await utils.addJobs(Array.from({ length: JOBS }, () => ({ identifier: 'noop', payload: {} })));
    const addMs = performance.now() - start;
    for (;;) {
      const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`;
      if ((row?.n ?? 0) === 0) break;
      await sleep(20);
    }
    const completeSeconds = (performance.now() - start) / 1000;

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      let ranAt = 0;
      const ran = new Promise<void>((resolve) => {
        onRun = () => {
          ranAt = performance.now();
          resolve();
        };
      });
      start = performance.now();
      await utils.addJob('noop', {});
      const addedAt = performance.now();
      await ran;
      latencies.push(Math.max(0, ranAt - addedAt));
      await sleep(20);
    }
    onRun = undefined;
    latencies.sort((a, b) => a - b);
    await runner.stop();
    process.stdout.write(
      `${JSON.stringify({
        jobs: JOBS,
        addMs: Math.round(addMs),
        jobsPerSecond: Math.round(JOBS / completeSeconds),
        latencyMedianMs: Number(percentile(latencies, 50).toFixed(2)),
        latencyP99Ms: Number(percentile(latencies, 99).toFixed(2)),
      })}\n`,
    );
  } finally {
    await utils.release();
    await sql.end();
    await database.drop();
  }
}

await main();

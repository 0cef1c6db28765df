import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/db/client.js';
import { startBotApiServer } from '../test/helpers/bot-api.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { botEnv, freePort } from '../test/helpers/program.js';
import { approvedBulletin, seedSubscribers } from '../test/helpers/seed.js';

/**
 * The real program (`node dist/main.js`, as `npm start` runs it) with the zero-latency socket and
 * the Bot API stand-in: RSS after a first start, time to a healthy /healthz on an existing
 * database, peak RSS while it sends a bulletin to RECIPIENTS, then CPU and RSS over an idle
 * window, from /proc. Prints one JSON line on stdout.
 */
const engine = process.argv[2] === 'postgres' ? 'postgres' : 'pglite';
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const root = resolve(import.meta.dirname, '..', '..');
const TICKS_PER_SECOND = 100;

const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const cpuTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

async function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; ms: number }> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js'), 'all'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`the program exited with ${child.exitCode}`);
    await sleep(20);
  }
  return { child, port, ms: performance.now() - began };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const api = await startBotApiServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'banditore-bench-program-'));
  const pg =
    engine === 'postgres' ? await createTestDatabase('postgres', process.env.BENCH_DATABASE_URL) : undefined;
  const env = {
    ...botEnv,
    TELEGRAM_API_ROOT: api.apiRoot,
    WA_SOCKET_MODULE: join(root, '.bench-build', 'bench', 'zero-socket-module.js'),
    SEND_PACING: 'off',
    LOG_LEVEL: 'warn',
    ...(pg ? { DATABASE_URL: pg.url! } : { DATA_DIR: dataDir }),
  };
  try {
    // First start: PGlite makes its data directory (initdb) and migrates.
    let run = await start(env);
    await sleep(5_000);
    const firstStartRssMb = rssMb(run.child.pid!);
    await stop(run.child);

    const database = pg ?? (await openDatabase({ dataDir }));
    await seedSubscribers(database.db, RECIPIENTS);
    await approvedBulletin(database.db, 'Avviso di prova: domani mercato in piazza.');
    if (!pg) await database.close();

    // Second start, on an existing database with a bulletin to send.
    run = await start(env);
    const pid = run.child.pid!;
    let peakRssMb = rssMb(pid);
    const sendUntil = Date.now() + 20_000;
    while (Date.now() < sendUntil) {
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
      await sleep(100);
    }
    // Idle: nothing to send.
    const before = cpuTicks(pid);
    const began = performance.now();
    await sleep(IDLE_SECONDS * 1000);
    const idleCpuPercent =
      ((cpuTicks(pid) - before) / TICKS_PER_SECOND / ((performance.now() - began) / 1000)) * 100;
    const idleRssMb = rssMb(pid);
    await stop(run.child);
    const result = {
      engine,
      firstStartRssMb,
      startToHealthyMs: Math.round(run.ms),
      recipients: RECIPIENTS,
      sendPeakRssMb: peakRssMb,
      idleSeconds: IDLE_SECONDS,
      idleCpuPercent: Number(idleCpuPercent.toFixed(2)),
      idleRssMb,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await api.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

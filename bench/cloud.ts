import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/db/client.js';
import { APP_SECRET, cloudEnv } from '../test/helpers/cloud-env.js';
import { startGraphStandIn } from '../test/helpers/graph-api.js';
import { botEnv, freePort, startProgram } from '../test/helpers/program.js';
import { approvedBulletin, seedSubscribers } from '../test/helpers/seed.js';

/**
 * Run by hand (not in the suite): `node --import tsx bench/cloud.ts [subscribers] [rate]`.
 * One text bulletin to `subscribers` (1,300) through the Graph API stand-in at WA_CLOUD_RATE_PER_SECOND
 * (the default, 20), the real program as a child process on PGlite, statuses posted back. Prints the
 * time from the first call to the last, and the program's CPU and peak RSS meanwhile (from /proc).
 */
const subscribers = Number(process.argv[2] ?? 1300);
const rate = process.argv[3] ?? '20';
const TICK = 1000 / 100; // /proc/<pid>/stat counts in clock ticks, 100 a second on Linux

function sample(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = ((Number(fields[11]) + Number(fields[12])) * TICK) / 1000;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssMb: Number(rss?.[1] ?? 0) / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'banditore-bench-cloud-'));
const dataDir = join(dir, 'data');
const database = await openDatabase({ dataDir });
await seedSubscribers(database.db, subscribers);
await approvedBulletin(database.db, 'Avviso: domani acqua sospesa in via Roma dalle 8 alle 14.');
await database.close();

const graph = await startGraphStandIn();
const port = await freePort();
graph.sendStatusesTo(`http://127.0.0.1:${port}/webhooks/whatsapp`, APP_SECRET);
const program = startProgram([], {
  ...botEnv,
  DATA_DIR: dataDir,
  ...cloudEnv(graph.apiRoot, { WA_CLOUD_RATE_PER_SECOND: rate, WA_CLOUD_DAILY_LIMIT: '100000' }),
  TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
  PORT: String(port),
  LOG_LEVEL: 'warn',
});
const pid = program.child.pid!;
let start: { at: number; cpuSeconds: number } | undefined;
let peakRssMb = 0;
for (;;) {
  if (program.child.exitCode !== null) throw new Error(`program exited:\n${program.output()}`);
  const now = sample(pid);
  if (!start && graph.calls.length > 0) start = { at: graph.calls[0]!.at, cpuSeconds: now.cpuSeconds };
  if (start) peakRssMb = Math.max(peakRssMb, now.rssMb);
  if (new Set(graph.accepted().map((c) => c.to)).size >= subscribers) {
    const last = graph.calls.at(-1)!.at;
    const seconds = (last - start!.at) / 1000;
    const cpu = now.cpuSeconds - start!.cpuSeconds;
    process.stdout.write(
      `${subscribers} subscribers at ${rate}/s: ${seconds.toFixed(1)} s from the first call to the last ` +
        `(${(subscribers / seconds).toFixed(1)} msg/s); program CPU ${cpu.toFixed(1)} s ` +
        `(${((100 * cpu) / seconds).toFixed(0)} % of one core); peak RSS ${peakRssMb.toFixed(0)} MB; ` +
        `calls ${graph.calls.length}\n`,
    );
    break;
  }
  await sleep(200);
}
program.child.kill('SIGTERM');
await program.exited;
await graph.close();
rmSync(dir, { recursive: true, force: true });

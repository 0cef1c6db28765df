import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * `npm run bench`: runs bench/engine on PGlite and, when BENCH_DATABASE_URL is set, on Postgres,
 * each in its own compiled Node process (as production runs: no TypeScript loader), and prints
 * one Markdown table for the README with the machine it ran on.
 */
type Result = {
  engine: string;
  subscribers: number;
  fanOutMs: number;
  fanOutRows: number;
  refanOutMs: number;
  refanOutRows: number;
  deliveriesPerSecond: number;
  firstSendMedianMs: number;
  firstSendP99Ms: number;
  peakRssMb: number;
};

type ProgramResult = {
  engine: string;
  firstStartRssMb: number;
  startToHealthyMs: number;
  recipients: number;
  sendPeakRssMb: number;
  idleSeconds: number;
  idleCpuPercent: number;
  idleRssMb: number;
};

type PeerResult = {
  jobs: number;
  addMs: number;
  jobsPerSecond: number;
  latencyMedianMs: number;
  latencyP99Ms: number;
};

function runEngine(engine: 'pglite' | 'postgres'): Promise<Result>;
function runEngine(engine: 'postgres', script: 'peer.js'): Promise<PeerResult>;
function runEngine(engine: 'pglite' | 'postgres', script: 'program.js'): Promise<ProgramResult>;
function runEngine(engine: 'pglite' | 'postgres', script = 'engine.js'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, script), engine], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench on ${engine} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

async function postgresVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`SHOW server_version`;
    return `Postgres ${row?.server_version.split(' ')[0]}`;
  } finally {
    await sql.end();
  }
}

const url = process.env.BENCH_DATABASE_URL;
const results = [await runEngine('pglite')];
if (url) results.push(await runEngine('postgres'));
const peer = url ? await runEngine('postgres', 'peer.js') : undefined;
const programs = [await runEngine('pglite', 'program.js')];
if (url) programs.push(await runEngine('postgres', 'program.js'));
else process.stderr.write('bench: BENCH_DATABASE_URL is not set; Postgres skipped\n');

const cpu = cpus();
const machine = [
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
  `${Math.round(totalmem() / 2 ** 30)} GiB`,
  `Node ${process.versions.node}`,
  ...(url ? [await postgresVersion(url)] : []),
].join(', ');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const lines = [
  `Machine: ${machine}. ${results[0]?.subscribers.toLocaleString('en')} subscribers, zero-latency socket, pacing off.`,
  '',
  row([
    'engine',
    'fan-out',
    'fan-out again',
    'deliveries/s',
    'first send, median',
    'first send, p99',
    'peak RSS',
  ]),
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
  ...results.map((r) =>
    row([
      r.engine === 'pglite' ? 'PGlite' : 'Postgres',
      `${r.fanOutMs} ms (${r.fanOutRows.toLocaleString('en')} rows)`,
      `${r.refanOutMs} ms (${r.refanOutRows} rows)`,
      r.deliveriesPerSecond.toLocaleString('en'),
      `${r.firstSendMedianMs} ms`,
      `${r.firstSendP99Ms} ms`,
      `${r.peakRssMb} MB`,
    ]),
  ),
];
const ours = results.find((r) => r.engine === 'postgres');
const ratio = (value: number) => `${value.toFixed(2)}×`;
lines.push(
  '',
  'Side by side on the same Postgres server, the same machine and run: graphile-worker (local queue of 500, batched completions, prepared statements, Node time, concurrency 10) adding the same number of no-op jobs in one `addJobs` call and completing them, and its latency from a single `addJob` to the task running. Ratio: how many times better ours is (above 1: ours ahead).',
  '',
  row(['measure', 'banditore (Postgres)', 'graphile-worker', 'ratio']),
  row(['---', '---:', '---:', '---:']),
  ...(ours && peer
    ? [
        row([
          'fan-out / addJobs',
          `${ours.fanOutMs} ms`,
          `${peer.addMs} ms`,
          ratio(peer.addMs / ours.fanOutMs),
        ]),
        row([
          'deliveries / jobs per second',
          ours.deliveriesPerSecond.toLocaleString('en'),
          peer.jobsPerSecond.toLocaleString('en'),
          ratio(ours.deliveriesPerSecond / peer.jobsPerSecond),
        ]),
        row([
          'first send / job latency, median',
          `${ours.firstSendMedianMs} ms`,
          `${peer.latencyMedianMs} ms`,
          ratio(peer.latencyMedianMs / ours.firstSendMedianMs),
        ]),
        row([
          'first send / job latency, p99',
          `${ours.firstSendP99Ms} ms`,
          `${peer.latencyP99Ms} ms`,
          ratio(peer.latencyP99Ms / ours.firstSendP99Ms),
        ]),
      ]
    : [row(['(Postgres not set: BENCH_DATABASE_URL)', '', '', ''])]),
  '',
  'On PGlite graphile-worker does not run (it needs a Postgres server: its own connection pool and LISTEN/NOTIFY), so there is no peer figure for the embedded engine.',
);
const name = (engine: string) => (engine === 'pglite' ? 'PGlite' : 'Postgres');
lines.push(
  '',
  `The program itself (\`node dist/main.js all\`, as \`npm start\` runs it), zero-latency socket, Bot API stand-in; RSS and CPU from /proc:`,
  '',
  row([
    'engine',
    'RSS after a first start',
    'start to healthy /healthz',
    'peak RSS sending',
    'idle CPU',
    'idle RSS',
  ]),
  row(['---', '---:', '---:', '---:', '---:', '---:']),
  ...programs.map((p) =>
    row([
      name(p.engine),
      `${p.firstStartRssMb} MB`,
      `${p.startToHealthyMs} ms`,
      `${p.sendPeakRssMb} MB (${p.recipients.toLocaleString('en')} recipients)`,
      `${p.idleCpuPercent} % of a core over ${p.idleSeconds} s`,
      `${p.idleRssMb} MB`,
    ]),
  ),
);
process.stdout.write(`${lines.join('\n')}\n`);

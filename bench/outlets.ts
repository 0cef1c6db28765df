import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, inArray } from 'drizzle-orm';
import { createDraft } from '../src/core/bulletins.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { bulletins, publications, whatsappChannel } from '../src/db/schema.js';
import {
  type BotApiServer,
  callbackUpdate,
  person,
  startBotApiServer,
  textMessage,
} from '../test/helpers/bot-api.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { botEnv, freePort, killProgram, type Program, root, startProgram } from '../test/helpers/program.js';
import { seedSubscribers } from '../test/helpers/seed.js';
import { jsonLines } from '../test/helpers/sends.js';

/**
 * Approval to publication on each instant outlet, through the real program (`src/main.ts all`
 * under tsx, as the tests start it) with its real outlets: the Telegram channel against the Bot
 * API stand-in, the WhatsApp Channel over the stand-in socket (bench/channel-socket-module.ts),
 * the archive on the program's own HTTP port. 1,000 subscribers, pacing on: the paced 1:1 sends
 * go on beside. One warm-up bulletin, then ROUNDS approved one after the other, each once the
 * previous is on all three outlets. Measured two ways: from the approval (bulletins.decided_at,
 * taken as approving starts) to each publication row's posted_at, read after the program stops; and
 * from the approval callback's delivery to the stand-in seeing the post (polled every 10 ms).
 *
 *   node --import tsx bench/outlets.ts                  PGlite
 *   BENCH_DATABASE_URL=postgres://… node --import tsx bench/outlets.ts   PGlite, then Postgres
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const OUTLETS = ['whatsapp_channel', 'telegram_channel', 'archive'] as const;
type Outlet = (typeof OUTLETS)[number];
const CHANNEL_ID = -1001000000001;
const APPROVER = 111;

type Times = Record<Outlet, number[]>;
const emptyTimes = (): Times => ({ whatsapp_channel: [], telegram_channel: [], archive: [] });

async function prepare(db: Database['db']): Promise<number[]> {
  await seedSubscribers(db, SUBSCRIBERS);
  await db
    .insert(whatsappChannel)
    .values({ jid: '120363400000000000@newsletter', name: 'Comune Informa', role: 'OWNER', followers: 0 });
  const ids: number[] = [];
  for (let n = 0; n <= ROUNDS; n++) {
    const draft = await createDraft(db, {
      authorId: 222,
      adminIds: [222],
      text: `Avviso n. ${n}: strada provinciale chiusa per frana fino a nuovo avviso.`,
      outlets: ['whatsapp', ...OUTLETS],
    });
    ids.push(draft.id);
  }
  return ids;
}

async function run(engine: 'pglite' | 'postgres'): Promise<{ commit: Times; seen: Times }> {
  const dir = mkdtempSync(join(tmpdir(), 'banditore-bench-outlets-'));
  const pg =
    engine === 'postgres' ? await createTestDatabase('postgres', process.env.BENCH_DATABASE_URL) : undefined;
  const target = pg ? { url: pg.url! } : { dataDir: join(dir, 'data') };
  let api: BotApiServer | undefined;
  let program: Program | undefined;
  try {
    const setup = pg ?? (await openDatabase(target));
    const ids = await prepare(setup.db);
    if (!pg) await setup.close();

    api = await startBotApiServer();
    const port = await freePort();
    const channelFile = join(dir, 'channel.jsonl');
    program = startProgram([], {
      ...botEnv,
      ...(pg ? { DATABASE_URL: pg.url! } : { DATA_DIR: target.dataDir! }),
      TELEGRAM_API_ROOT: api.apiRoot,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_CHANNEL_ID: String(CHANNEL_ID),
      WA_SOCKET_MODULE: join(root, 'bench', 'channel-socket-module.ts'),
      BENCH_CHANNEL_FILE: channelFile,
      SEND_WINDOW: '00:00-24:00',
      REQUIRE_SECOND_APPROVER: 'false',
      LOG_LEVEL: 'warn',
    });
    const running = program;
    const until = async (what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
      const end = Date.now() + timeoutMs;
      while (!(await ready())) {
        if (running.child.exitCode !== null) throw new Error(`program exited:\n${running.output()}`);
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${running.output()}`);
        await sleep(10);
      }
    };
    const bot = api;
    await until('the bot', () => bot.calls('setMyCommands').length > 0);

    const onTelegram = (n: number) =>
      bot
        .calls('sendMessage')
        .some((call) => Number(call.chat_id) === CHANNEL_ID && String(call.text).includes(`Avviso n. ${n}:`));
    const onChannel = (n: number) =>
      jsonLines<{ text: string }>(channelFile).some((line) => line.text.includes(`Avviso n. ${n}:`));
    const onArchive = async (id: number) =>
      (await fetch(`http://127.0.0.1:${port}/bollettini/${id}`).catch(() => undefined))?.status === 200;

    const seen = emptyTimes();
    const preview = textMessage({ chatId: Number(botEnv.STAFF_CHAT_ID), from: person(1), text: 'anteprima' });
    for (const [n, id] of ids.entries()) {
      const pressed = Date.now();
      bot.push(callbackUpdate({ from: person(APPROVER), data: `approve:${id}:1`, message: preview }));
      const at: Partial<Record<Outlet, number>> = {};
      await until(`bulletin ${n} on every outlet`, async () => {
        if (at.telegram_channel === undefined && onTelegram(n)) at.telegram_channel = Date.now();
        if (at.whatsapp_channel === undefined && onChannel(n)) at.whatsapp_channel = Date.now();
        if (at.archive === undefined && (await onArchive(id))) at.archive = Date.now();
        return OUTLETS.every((outlet) => at[outlet] !== undefined);
      });
      // The first is the warm-up (the bridge linking, the first post of each outlet).
      if (n > 0) for (const outlet of OUTLETS) seen[outlet].push(at[outlet]! - pressed);
    }

    await stopProgram(program);
    program = undefined;
    const read = pg ?? (await openDatabase(target));
    const measured = ids.slice(1);
    const approvals = await read.db
      .select({ id: bulletins.id, decidedAt: bulletins.decidedAt })
      .from(bulletins)
      .where(inArray(bulletins.id, measured));
    const posts = await read.db
      .select({
        bulletinId: publications.bulletinId,
        outlet: publications.outlet,
        postedAt: publications.postedAt,
      })
      .from(publications)
      .where(and(inArray(publications.bulletinId, measured), eq(publications.state, 'posted')));
    const commit = emptyTimes();
    for (const post of posts) {
      const decided = approvals.find((row) => row.id === post.bulletinId)?.decidedAt;
      if (decided && post.postedAt && post.outlet !== 'whatsapp')
        commit[post.outlet].push(post.postedAt.getTime() - decided.getTime());
    }
    if (!pg) await read.close();
    return { commit, seen };
  } finally {
    await killProgram(program);
    await api?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stopProgram(program: Program): Promise<void> {
  program.child.kill('SIGTERM');
  const code = await program.exited;
  if (code !== 0) throw new Error(`the program stopped with ${code}:\n${program.output()}`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const cell = (values: number[]) =>
  values.length === 0
    ? 'n/a'
    : `${Math.round(median(values))} ms (max ${Math.max(...values)} ms, n=${values.length})`;

const say = (line: string) => process.stdout.write(`${line}\n`);
const engines: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.BENCH_DATABASE_URL ? ['postgres' as const] : []),
];
say(
  '| engine | outlet | approval (decided_at) → posted_at, median (max) | callback → stand-in sees it, median (max) |',
);
say('| --- | --- | --- | --- |');
for (const engine of engines) {
  const { commit, seen } = await run(engine);
  for (const outlet of OUTLETS)
    say(`| ${engine} | ${outlet} | ${cell(commit[outlet])} | ${cell(seen[outlet])} |`);
}

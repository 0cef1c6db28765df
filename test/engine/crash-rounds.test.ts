import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { messageIdOf, messageIdSecret } from '../../src/core/message-id.js';
import { bulletinProgress } from '../../src/core/progress.js';
import { type Db, openDatabase, rowsOf } from '../../src/db/client.js';
import { appendedJsonLines, appendedLines } from '../helpers/appended-lines.js';
import { type BotApiServer, startBotApiServer } from '../helpers/bot-api.js';
import { optInJid, optInMessageId } from '../helpers/crash-socket.js';
import { migratedDataDir } from '../helpers/db-template.js';
import {
  botEnv,
  freePort,
  healthy,
  killProgram,
  type Program,
  root,
  startProgram,
} from '../helpers/program.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';

const ROUNDS = 20;
const SUBSCRIBERS = 30;
/** Bulletins queued before the first start, and bulletins that fall due while the rounds run. */
const QUEUED = 4;
const SCHEDULED = 4;

type Sent = { jid: string; id: string; text: string };

const lines = appendedLines;
// A SIGKILL can cut the last line short: only whole lines count.
const sentLines = (file: string): Sent[] => appendedJsonLines<Sent>(file);
const handedOver = (file: string): number[] =>
  lines(file)
    .filter((line) => /^\d+$/.test(line))
    .map(Number);

/** Queues the first bulletins now and schedules the others over the next seconds. */
async function prepare(dataDir: string): Promise<void> {
  const database = await openDatabase({ dataDir: await migratedDataDir(dataDir) });
  try {
    await seedSubscribers(database.db, SUBSCRIBERS);
    for (let i = 1; i <= QUEUED; i++) await approvedBulletin(database.db, `Avviso ${i}`);
    for (let i = 1; i <= SCHEDULED; i++) {
      const draft = await createDraft(database.db, {
        authorId: 1,
        text: `Programmato ${i}`,
        adminIds: [1, 2],
      });
      await database.db.execute(sql`
        UPDATE bulletins SET send_at = now() + make_interval(secs => ${i * 2}) WHERE id = ${draft.id}`);
      await approve(database.db, {
        bulletinId: draft.id,
        version: 1,
        userId: 2,
        name: 'Approvatore',
        adminIds: [1, 2],
      });
    }
  } finally {
    await database.close();
  }
}

type Findings = {
  deliveries: number;
  sentRows: number;
  pendingRows: number;
  repeats: number;
  optInsRecorded: number;
  optInsUnanswered: number;
  optInsLost: number;
};

/**
 * Opens the database after a kill and checks that the counts add up: each started bulletin holds
 * exactly the rows its fan-out queued (the register says how many), all pending or sent, and its
 * status counts match; every row marked sent reached WhatsApp under its own message id, and
 * nothing reached WhatsApp under an id the database does not hold for that person and bulletin;
 * every opt-in recorded is, once answered, one subscriber with one subscription and one join.
 */
async function check(db: Db, files: { sent: string; inbound: string }): Promise<Findings> {
  const started = rowsOf<{ id: number; text: string; queued: number }>(
    await db.execute(sql`
      SELECT b.id, b.text, (a.detail->>'queued')::int AS queued
      FROM bulletins b JOIN audit_log a ON a.bulletin_id = b.id AND a.action = 'send_start'`),
  );
  const secret = await messageIdSecret(db);
  const rows = rowsOf<{
    bulletin_id: number;
    subscriber_id: number;
    jid: string;
    state: string;
    message_id: string | null;
  }>(
    await db.execute(sql`
      SELECT d.bulletin_id, d.subscriber_id, s.phone_jid AS jid, d.state, d.message_id
      FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`),
  ).map((row) => ({ ...row, message_id: messageIdOf(secret, row) }));
  expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length);
  const textOf = new Map(started.map((b) => [Number(b.id), b.text]));
  for (const bulletin of started) {
    const mine = rows.filter((r) => Number(r.bulletin_id) === Number(bulletin.id));
    expect(mine.length).toBe(Number(bulletin.queued));
    const progress = await bulletinProgress(db, Number(bulletin.id));
    expect(progress.total).toBe(mine.length);
    expect(progress.sent + progress.remaining).toBe(progress.total);
  }
  for (const row of rows) expect(['pending', 'sent']).toContain(row.state);

  const sent = sentLines(files.sent);
  const rowOf = new Map(rows.map((r) => [`${textOf.get(Number(r.bulletin_id))}|${r.jid}`, r]));
  for (const line of sent) {
    // Never a second id: what reached a person for a bulletin carries that delivery's one id.
    expect(rowOf.get(`${line.text}|${line.jid}`)?.message_id).toBe(line.id);
  }
  const reached = new Set(sent.map((line) => line.id));
  for (const row of rows) if (row.state === 'sent') expect(reached.has(row.message_id)).toBe(true);

  const given = handedOver(files.inbound);
  const inbound = rowsOf<{ message_id: string; handled: boolean | string }>(
    await db.execute(sql`SELECT message_id, handled_at IS NOT NULL AS handled FROM inbound_messages`),
  );
  const givenIds = new Map(given.map((n) => [optInMessageId(n), n]));
  for (const row of inbound) expect(givenIds.has(row.message_id)).toBe(true);
  const answered = inbound.filter((r) => r.handled === true || r.handled === 't');
  const people = rowsOf<{ jid: string; subscriptions: number | string }>(
    await db.execute(sql`
      SELECT s.phone_jid AS jid,
        (SELECT count(*) FROM subscriptions x WHERE x.subscriber_id = s.id AND x.left_at IS NULL) AS subscriptions
      FROM subscribers s WHERE s.phone_jid LIKE '394%'`),
  );
  const [events] = rowsOf<{ joins: number | string }>(
    await db.execute(sql`SELECT count(*) AS joins FROM subscription_events WHERE kind = 'join'`),
  );
  const byJid = new Map(people.map((p) => [p.jid, p]));
  for (const row of answered) {
    expect(Number(byJid.get(optInJid(givenIds.get(row.message_id)!))?.subscriptions)).toBe(1);
  }
  // Everyone who joined joined once: one join event per opt-in subscriber, none for the seeded.
  expect(Number(events?.joins)).toBe(people.length);
  const recorded = new Set(inbound.map((r) => r.message_id));
  return {
    deliveries: rows.length,
    sentRows: rows.filter((r) => r.state === 'sent').length,
    pendingRows: rows.filter((r) => r.state === 'pending').length,
    repeats: sent.length - reached.size,
    optInsRecorded: inbound.length,
    optInsUnanswered: inbound.length - answered.length,
    optInsLost: given.filter((n) => !recorded.has(optInMessageId(n))).length,
  };
}

function waitFor(condition: () => boolean, program: Program, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (program.child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`program exited:\n${program.output()}`));
      } else if (condition() || Date.now() - started > timeoutMs) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

/** Whether a bulletin still has deliveries to send, after the last round's findings. */
const sendsLeft = (found: Findings | undefined): boolean =>
  !found || found.pendingRows > 0 || found.deliveries < SUBSCRIBERS * (QUEUED + SCHEDULED);

describe('the real program on PGlite, killed 20 times in the middle of sends with opt-ins arriving', () => {
  let api: BotApiServer | undefined;
  let running: Program | undefined;
  const cleanup: (() => void)[] = [];
  afterEach(async () => {
    await killProgram(running);
    running = undefined;
    await api?.close();
    for (const clean of cleanup.splice(0)) clean();
  });

  it('opens after every SIGKILL with the counts adding up; no delivery is lost or sent under a second id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'banditore-crash-rounds-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const files = {
      sent: join(dir, 'sent.jsonl'),
      inbound: join(dir, 'inbound.txt'),
      replies: join(dir, 'replies.jsonl'),
    };
    const t0 = Date.now();
    await prepare(dataDir);
    const server = await startBotApiServer();
    api = server;
    const env = {
      ...botEnv,
      DATA_DIR: dataDir,
      TELEGRAM_API_ROOT: server.apiRoot,
      WA_SOCKET_MODULE: join(root, 'test', 'helpers', 'crash-socket.ts'),
      SEND_PACING: 'off',
      STANDIN_SENT_FILE: files.sent,
      STANDIN_INBOUND_FILE: files.inbound,
      STANDIN_REPLY_FILE: files.replies,
      LOG_LEVEL: 'warn',
    };
    // biome-ignore lint/suspicious/noConsole: the suite's output reports what each round found
    const report = (line: string) => console.info(line);
    const prepared = Date.now();
    // How long the last life took to hand over its first opt-in (its socket open): start-up kills
    // land anywhere in that span, so also while PGlite opens, recovers and migrates.
    let startMs = 5_000;
    let last: Findings | undefined;

    for (let round = 1; round <= ROUNDS; round++) {
      const sentBefore = sentLines(files.sent).length;
      const inboundBefore = handedOver(files.inbound).length;
      const spawned = Date.now();
      // A port of its own each life: one a killed life held may be taken meanwhile (an outgoing
      // connection's ephemeral port; EADDRINUSE once in CI).
      running = startProgram([], { ...env, PORT: String(await freePort()) });
      // A random point: during start-up, after some sends, or after some opt-ins were handed over.
      // Once every bulletin is out there is no send left to wait for: opt-ins instead.
      const kinds = sendsLeft(last)
        ? (['start-up', 'send', 'send', 'opt-in'] as const)
        : (['start-up', 'opt-in', 'opt-in', 'opt-in'] as const);
      const kind = kinds[Math.floor(Math.random() * 4)]!;
      const target =
        kind === 'start-up'
          ? Math.floor(Math.random() * startMs)
          : 1 + Math.floor(Math.random() * (kind === 'send' ? 10 : 6));
      const condition =
        kind === 'start-up'
          ? () => Date.now() - spawned > target
          : kind === 'send'
            ? () => sentLines(files.sent).length >= sentBefore + target
            : () => handedOver(files.inbound).length >= inboundBefore + target;
      let opened = 0;
      await waitFor(
        () => {
          if (!opened && handedOver(files.inbound).length > inboundBefore) opened = Date.now() - spawned;
          return condition();
        },
        running,
        30_000,
      );
      if (opened) startMs = opened;
      running.child.kill('SIGKILL');
      await running.exited;
      const lived = Date.now() - spawned;
      const database = await openDatabase({ dataDir });
      try {
        const found = await check(database.db, files);
        last = found;
        report(
          `round ${round}: kill at ${kind} ${kind === 'start-up' ? `${target} ms` : target} after ${lived} ms; sends ${sentLines(files.sent).length - sentBefore}, ` +
            `opt-ins ${handedOver(files.inbound).length - inboundBefore}; ${JSON.stringify(found)}`,
        );
      } finally {
        await database.close();
      }
    }
    const killed = Date.now();

    // A last life runs until the staff group has heard that every bulletin went out, then stops.
    const port = String(await freePort());
    running = startProgram([], { ...env, PORT: port, STANDIN_OPTIN_MS: '3600000' });
    // Up before it is asked to stop: the bulletins may all have gone out in earlier lives.
    await healthy(port, running);
    const finished = () =>
      new Set(
        server
          .calls('sendMessage')
          .map((payload) => /^Bollettino n\. (\d+) inviato:/.exec(String(payload.text))?.[1])
          .filter(Boolean),
      ).size;
    await waitFor(() => finished() === QUEUED + SCHEDULED, running, 120_000);
    running.child.kill('SIGTERM');
    expect(await running.exited, running.output()).toBe(0);
    const database = await openDatabase({ dataDir });
    let found: Findings;
    try {
      found = await check(database.db, files);
      expect(found.pendingRows).toBe(0);
      expect(found.optInsUnanswered).toBe(0);
      const [states] = rowsOf<{ unfinished: number | string }>(
        await database.db.execute(sql`SELECT count(*) AS unfinished FROM bulletins WHERE state <> 'sent'`),
      );
      expect(Number(states?.unfinished)).toBe(0);
    } finally {
      await database.close();
    }
    report(
      [
        `end: ${JSON.stringify(found)}; replies ${lines(files.replies).filter(Boolean).length}`,
        `prepare ${prepared - t0} ms, ${ROUNDS} rounds ${killed - prepared} ms, last life and check ${Date.now() - killed} ms`,
      ].join('\n'),
    );
  }, 600_000);
});

import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { type PendingInbound, unansweredInbound } from '../core/inbound.js';
import { pruneReplies } from '../core/replies.js';
import { type AnswerDeps, type Caller, createAnswerer, type Task } from './inbound-answer.js';
import { createRecorder } from './inbound-recorder.js';
import { parseIncoming } from './incoming.js';
import { parseKeyword } from './keywords.js';

export type InboundDeps = AnswerDeps & {
  /** Messages answered from memory at most; past it they wait in the database. Tests lower it. */
  backlog?: number;
  /** How often leftovers are retried (and old rows pruned, at most hourly). Tests shorten it. */
  retryMs?: number;
};

export type Inbound = {
  /**
   * Takes the messages of an upsert without waiting: Baileys has already acknowledged them to
   * WhatsApp, which will not send them again, so they are recorded first (retried in memory while
   * the database is away) and answered after, in the order they came.
   */
  receive(upsert: BaileysEventMap['messages.upsert']): void;
  /** Answers what was recorded but not answered (a crash, a database blink, a full backlog). */
  answerLeftovers(): void;
  /** The same reply as for any other message, after a rejected call, under the same budget. */
  afterCall(caller: Caller): void;
  /** Stops taking work; what is recorded but unanswered waits in the database for the next start. */
  stop(): Promise<void>;
};

const BACKLOG = 500;
const RETRY_MS = 60_000;
const PRUNE_MS = 3_600_000;
const PAGE = 200;
/** A database pass stops after this many failures in a row: the database is away, not one row bad. */
const FAILURES_IN_A_ROW = 3;
/** How long stop() keeps trying to record what the database has not taken yet. */
const STOP_RECORD_MS = 5_000;

/**
 * Records and answers what citizens send, live (`notify`) and replayed (`append`), each id once.
 * Three lanes that never wait on each other's queue: recording (ordered, retried in memory), a
 * bounded in-memory lane for answering, and passes over the database for everything else. Replies
 * are queued through the reply budget and sent by the sender.
 */
export function createInbound(deps: InboundDeps): Inbound {
  const log = deps.logger;
  const backlog = deps.backlog ?? BACKLOG;
  const recorder = createRecorder({
    db: deps.db,
    logger: log,
    onRecorded: (pending) => dispatch({ kind: 'message', pending }),
  });
  const queue: Task[] = [];
  // A pass over the database is due (leftovers, a full backlog); while blocked, only the timer
  // starts one, so a failed message is not overtaken by a later one from the same person.
  let needPass = true;
  let passing = false;
  let blocked = false;
  let working: Promise<void> | undefined;
  let closed = false;
  let prunedAt = 0;

  const run = createAnswerer(deps);

  /** Everything unanswered in the database, in arrival order; one person's messages stay in order. */
  async function databasePass(): Promise<void> {
    needPass = false;
    passing = true;
    // Whatever waits in memory is recorded: the pass answers it in order.
    const calls = queue.filter((task) => task.kind === 'call');
    queue.splice(0, queue.length, ...calls);
    const failedSenders = new Set<string>();
    let failed = false;
    let inARow = 0;
    try {
      let afterSeq = 0;
      for (;;) {
        const page = await unansweredInbound(deps.db, { afterSeq, limit: PAGE });
        for (const { seq, ...pending } of page) {
          if (closed) return;
          afterSeq = seq;
          if (failedSenders.has(pending.replyJid)) continue;
          if (await run({ kind: 'message', pending })) {
            inARow = 0;
            continue;
          }
          failed = true;
          failedSenders.add(pending.replyJid);
          if (++inARow >= FAILURES_IN_A_ROW) break;
        }
        if (inARow >= FAILURES_IN_A_ROW || page.length < PAGE) break;
      }
    } catch (err) {
      log.error({ err }, 'unanswered messages not read; retried shortly');
      failed = true;
    } finally {
      passing = false;
    }
    if (failed) block();
  }

  function block() {
    blocked = true;
    needPass = true;
    const calls = queue.filter((task) => task.kind === 'call');
    queue.splice(0, queue.length, ...calls);
  }

  async function work(): Promise<void> {
    while (!closed) {
      if (needPass && !blocked) {
        await databasePass();
        continue;
      }
      const task = queue.shift();
      if (!task) return;
      if (!(await run(task))) block();
    }
  }

  function kick() {
    if (working || closed) return;
    working = work()
      .catch((err) => log.error({ err }, 'inbound worker failed'))
      .finally(() => {
        working = undefined;
        // Work may have arrived between the last check and the end.
        if (!closed && ((needPass && !blocked) || queue.length > 0)) kick();
      });
  }

  function dispatch(task: Task) {
    if (task.kind === 'message' && (passing || needPass || blocked || queue.length >= backlog)) {
      needPass = true;
    } else if (task.kind === 'call' && queue.length >= backlog) {
      log.warn('call reply dropped: the inbound backlog is full');
      return;
    } else {
      queue.push(task);
    }
    kick();
  }

  function toPending(message: WAMessage): PendingInbound | undefined {
    const parsed = parseIncoming(message);
    if (!parsed) return undefined;
    const { text, ...rest } = parsed;
    return { ...rest, keyword: parseKeyword(text) };
  }

  async function housekeeping() {
    if (Date.now() - prunedAt < PRUNE_MS) return;
    prunedAt = Date.now();
    try {
      // Inbound ids are the retention job's (src/retention-job.ts), which runs beside the bridge.
      const replies = await pruneReplies(deps.db, deps.limits.cooldownHours);
      if (replies > 0) log.info({ replies }, 'old replies pruned');
    } catch (err) {
      prunedAt = 0;
      log.warn({ err }, 'reply prune failed; retried with the leftovers');
    }
  }

  const timer = setInterval(() => {
    // Idle, nothing held back and nothing to prune: no query at all.
    if (!blocked && Date.now() - prunedAt < PRUNE_MS) return;
    void housekeeping().then(() => {
      blocked = false;
      needPass = true;
      kick();
    });
  }, deps.retryMs ?? RETRY_MS);
  timer.unref();
  kick();

  return {
    receive({ messages }) {
      if (closed) return;
      recorder.take(messages.map(toPending).filter((p): p is PendingInbound => p !== undefined));
    },
    answerLeftovers() {
      void housekeeping().then(() => {
        needPass = true;
        kick();
      });
    },
    afterCall(caller) {
      if (!closed) dispatch({ kind: 'call', caller });
    },
    async stop() {
      clearInterval(timer);
      await recorder.stop(STOP_RECORD_MS);
      closed = true;
      await working;
    },
  };
}

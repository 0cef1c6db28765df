import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { jidNormalizedUser } from '@whiskeysockets/baileys';
import { answerInbound } from '../core/answer-inbound.js';
import { learnAddressPair } from '../core/identity.js';
import { type PendingInbound, unansweredInbound } from '../core/inbound.js';
import { pruneReplies, queueReply, type ReplyLimits, type ReplyVerdict } from '../core/replies.js';
import { channelInvite } from '../core/whatsapp-channel.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { countReplyWithheld, inboundMessages, inboundRepliesSent } from '../metrics/counters.js';
import { createRecorder } from './inbound-recorder.js';
import { parseIncoming } from './incoming.js';
import { parseKeyword } from './keywords.js';
import type { BridgeSocket } from './socket.js';
import { type Comune, citizenTexts, replyText } from './texts.js';

export type InboundDeps = {
  db: Db;
  comune: Comune;
  privacyVersion: string;
  limits: ReplyLimits;
  logger: Logger;
  socket(): BridgeSocket | undefined;
  /**
   * Someone is being erased: keep Baileys from writing their keys back while it answers them.
   * Returns what takes that back.
   */
  forgetKeys?(jids: string[]): () => void;
  /** A reply was queued: the sender should look now. */
  onReply(): void;
  /** Messages answered from memory at most; past it they wait in the database. Tests lower it. */
  backlog?: number;
  /** How often leftovers are retried (and old rows pruned, at most hourly). Tests shorten it. */
  retryMs?: number;
};

export type Caller = { replyJid: string; phoneJid?: string | undefined };

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

type Task = { kind: 'message'; pending: PendingInbound } | { kind: 'call'; caller: Caller };

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

  async function learnAddresses(incoming: PendingInbound): Promise<PendingInbound> {
    const mapping = deps.socket()?.signalRepository?.lidMapping;
    let { phoneJid, lid } = incoming;
    if (!phoneJid && lid) {
      const pn = await mapping?.getPNForLID(lid).catch(() => null);
      if (pn) phoneJid = jidNormalizedUser(pn);
    }
    if (!lid && phoneJid && mapping?.getLIDForPN) {
      const found = await mapping.getLIDForPN(phoneJid).catch(() => null);
      if (found) lid = jidNormalizedUser(found);
    }
    if (phoneJid && lid) await learnAddressPair(deps.db, { phoneJid, lid });
    return { ...incoming, phoneJid, lid };
  }

  /** Wakes the sender for a queued reply; counts a withheld one by why (metrics). */
  function countReply(verdict: ReplyVerdict): void {
    if (verdict === 'queued') {
      inboundRepliesSent.inc();
      deps.onReply();
    } else countReplyWithheld(verdict === 'repeat' ? 'cooldown' : 'budget');
  }

  /** Handles one task; false when it failed (the message stays unanswered in the database). */
  async function run(task: Task): Promise<boolean> {
    // On PGlite a query runs synchronously inside a chain of promises: without a turn of the event
    // loop between answers, a backlog of them held it from the socket, timers and HTTP for seconds.
    await nextTurn();
    if (task.kind === 'call') {
      const { replyJid, phoneJid } = task.caller;
      try {
        const text = citizenTexts.onlySends(deps.comune);
        const verdict = await queueReply(
          deps.db,
          { sender: phoneJid ?? replyJid, jid: replyJid, text },
          deps.limits,
        );
        countReply(verdict);
      } catch (err) {
        log.warn({ err }, 'could not answer after a rejected call');
      }
      return true;
    }
    const child = log.child({ waMessageId: task.pending.messageId });
    let unforget: (() => void) | undefined;
    let erased = false;
    try {
      const incoming = await learnAddresses(task.pending);
      const invite = await channelInvite(deps.db);
      // The sender may send the goodbye as soon as the erasure commits, and sending writes keys
      // about the person: they are dropped from before the commit, and kept if nobody was erased.
      if (incoming.keyword?.action === 'unsubscribe')
        unforget = deps.forgetKeys?.(
          [incoming.phoneJid, incoming.lid, incoming.replyJid].filter((j): j is string => Boolean(j)),
        );
      const result = await answerInbound(deps.db, {
        pending: incoming,
        privacyVersion: deps.privacyVersion,
        limits: deps.limits,
        render: (outcome) => replyText(deps.comune, outcome, invite),
      });
      if (!result.handled) return true;
      erased = result.outcome.kind === 'left' && result.outcome.erased;
      inboundMessages.inc();
      if (result.reply !== 'none') countReply(result.reply);
      child.info(
        { keyword: incoming.keyword?.action ?? 'none', reply: result.reply },
        'inbound message handled',
      );
      return true;
    } catch (err) {
      child.error({ err }, 'inbound message not handled; it is retried from the database');
      return false;
    } finally {
      if (!erased) unforget?.();
    }
  }

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

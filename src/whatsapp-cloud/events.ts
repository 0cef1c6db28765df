import { answerInbound } from '../core/answer-inbound.js';
import { dropCloudEvent, pendingCloudEvents, recordInboundWindow } from '../core/cloud-events.js';
import { applyCloudStatuses } from '../core/cloud-sends.js';
import { acceptInbound, type PendingInbound } from '../core/inbound.js';
import { reachLidByPhone } from '../core/lid-reach.js';
import type { ReplyLimits } from '../core/replies.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { inboundMessages, inboundRepliesSent } from '../metrics/counters.js';
import { createWakeable } from '../util/wakeable.js';
import { parseKeyword } from '../whatsapp/keywords.js';
import { type Comune, replyText } from '../whatsapp/texts.js';
import { readAccountEvents } from './account-events.js';
import { applyAccountEvents, PAUSING, pauseForCloudError } from './alerts.js';
import { classifyError, GraphApiError } from './graph-api.js';
import type { Template } from './messages.js';
import { type CloudInbound, readWebhook } from './payload.js';

export type EventProcessorDeps = {
  database: Pick<Database, 'db' | 'listen'>;
  comune: Comune;
  privacyVersion: string;
  limits: ReplyLimits;
  receiptRetentionHours: number;
  /** WA_CLOUD_DAILY_LIMIT, told to staff beside a tier Meta reports. */
  dailyLimit: number;
  /** WA_CLOUD_TEMPLATE, whose reviews by Meta staff hear of. */
  template: Template | undefined;
  logger: Logger;
  /** A reply was queued, or a status settled a send left in flight: the sender should look now. */
  wakeSender(): void;
  pollMs?: number;
};

const PAGE = 50;

const pendingOf = (m: CloudInbound): PendingInbound => {
  const jid = `${m.from}@s.whatsapp.net`;
  return { messageId: m.id, phoneJid: jid, replyJid: jid, pushName: m.name, keyword: parseKeyword(m.text) };
};

/**
 * Processes stored webhook bodies in arrival order, each once: citizens' messages go through the
 * same core as Baileys' (recorded by id, so a message Meta sends twice is answered once; the same
 * keywords, lists, consent, erasure and reply budget), and the window of whoever wrote is
 * renewed; statuses feed the receipt counts. A body is deleted once processed; one that fails is
 * tried again on the next round.
 */
export async function startEventProcessor(deps: EventProcessorDeps) {
  const { db } = deps.database;
  const log = deps.logger;
  const wakeable = createWakeable();
  let stopped = false;
  const unlisten = await deps.database.listen('banditore_cloud_events', () => wakeable.wake());

  async function answer(pending: PendingInbound): Promise<void> {
    const child = log.child({ waMessageId: pending.messageId });
    const result = await answerInbound(db, {
      pending,
      privacyVersion: deps.privacyVersion,
      limits: deps.limits,
      render: (outcome) => replyText(deps.comune, outcome),
    });
    if (!result.handled) return;
    inboundMessages.inc();
    if (result.reply === 'queued') {
      inboundRepliesSent.inc();
      deps.wakeSender();
    }
    child.info(
      { keyword: pending.keyword?.action ?? 'none', reply: result.reply },
      'inbound message handled',
    );
  }

  async function processOne(event: { id: number; body: string }): Promise<void> {
    const { messages, statuses } = readWebhook(event.body);
    if (messages.length > 0) {
      // Before answering: someone known only by a LID and now writing by number is that subscriber.
      for (const from of new Set(messages.map((m) => m.from)))
        if (await reachLidByPhone(db, `${from}@s.whatsapp.net`))
          log.info('a subscriber known only by a LID is reachable again');
      const open = await acceptInbound(db, messages.map(pendingOf));
      for (const message of messages) {
        if (open.has(message.id)) await answer(pendingOf(message));
        await recordInboundWindow(db, { phoneJid: `${message.from}@s.whatsapp.net`, at: message.at });
      }
    }
    if (statuses.length > 0) {
      const matched = await applyCloudStatuses(db, { statuses, retentionHours: deps.receiptRetentionHours });
      log.debug({ statuses: statuses.length, matched }, 'statuses recorded');
      if (matched > 0) deps.wakeSender();
      // A message the API took may still fail for the whole number (131048, 368): stop and tell staff.
      for (const status of statuses) {
        const code = status.status === 'failed' ? status.errorCode : undefined;
        const signal = code && PAUSING[classifyError(new GraphApiError(400, code, ''))];
        if (signal) {
          await pauseForCloudError(db, log, signal, { code });
          break;
        }
      }
    }
    const account = readAccountEvents(event.body);
    if (account.ignored.length > 0) log.info({ fields: account.ignored }, 'webhook fields ignored');
    await applyAccountEvents(db, log, account.events, {
      dailyLimit: deps.dailyLimit,
      template: deps.template,
    });
    await dropCloudEvent(db, event.id);
  }

  /** Bodies that failed this round are tried again on the next; the others do not wait for them. */
  async function round(): Promise<{ read: number; failed: number }> {
    const events = await pendingCloudEvents(db, PAGE);
    let failed = 0;
    for (const event of events) {
      if (stopped) break;
      try {
        await processOne(event);
      } catch (err) {
        failed++;
        if (!stopped)
          log.error({ err, eventId: event.id }, 'webhook body not processed; tried again shortly');
      }
    }
    return { read: events.length, failed };
  }

  const loop = (async () => {
    while (!stopped) {
      let ms = deps.pollMs ?? 5_000;
      try {
        const { read, failed } = await round();
        if (failed > 0) ms = 2_000;
        else if (read === PAGE) ms = 0;
      } catch (err) {
        if (!stopped) log.error({ err }, 'webhook events not processed; retried shortly');
        ms = 2_000;
      }
      if (!stopped && ms > 0) await wakeable.sleep(ms);
    }
  })();

  return {
    async stop() {
      stopped = true;
      wakeable.wake();
      await loop;
      await unlisten();
    },
  };
}

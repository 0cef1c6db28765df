import { type BaileysEventMap, type ConnectionState, jidNormalizedUser } from '@whiskeysockets/baileys';
import type { Config } from '../config.js';
import { type LinkState, recordLink, setLinkQr } from '../core/bridge-state.js';
import { learnAddressPair } from '../core/identity.js';
import { recordLinkOpen, recordLogout } from '../core/link.js';
import { postStaffNotice } from '../core/notices.js';
import type { BroadcastOutlet } from '../core/outlets.js';
import { queuePause, resumeQueue } from '../core/send-control.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type DbAuthState, loadAuthState } from './auth-state.js';
import { createBanSignals } from './ban-signals.js';
import { createCallRejecter } from './calls.js';
import { createWhatsappChannelOutlet } from './channel-outlet.js';
import { startChannelRequests } from './channel-requests.js';
import { backoffDelay, closeAction, closeCode } from './close-policy.js';
import { createInbound } from './inbound.js';
import { createLinkMonitor } from './link-monitor.js';
import { createOutbound } from './outbound.js';
import { startPairing } from './pairing.js';
import { peerAddresses } from './peer.js';
import { printQr } from './qr.js';
import { createReceiptHandler } from './receipts.js';
import { type Sender, startSender } from './sender.js';
import { type BridgeSocket, type MakeSocket, makeBaileysSocket } from './socket.js';

export type { LinkState };

export type BridgeDeps = {
  config: Pick<
    Config,
    | 'comune'
    | 'sendRatePerMinute'
    | 'sendLimits'
    | 'sendPacing'
    | 'receiptRetentionHours'
    | 'privacyVersion'
    | 'autoReplyCooldownHours'
    | 'replyMaxPerSenderHour'
    | 'replyMaxDelayMinutes'
    | 'waDownAlertMinutes'
  > &
    Partial<Pick<Config, 'publicBaseUrl' | 'bulletinLink'>>;
  database: Database;
  logger: Logger;
  makeSocket?: MakeSocket;
  /** Also shows each QR elsewhere (the terminal by default); the staff bot shows it from the database. */
  showQr?: (qr: string) => Promise<void> | void;
  /** Backoff for transient closes; tests shorten it. */
  backoff?: { baseMs: number; maxMs: number };
  /** Tests shorten WA_DOWN_ALERT_MINUTES to milliseconds. */
  downAlertMs?: number;
  /** Sender tuning for tests: the safety poll, the lease and a failed send's first backoff. */
  sender?: { pollMs?: number; leaseSeconds?: number; batchSize?: number; retrySeconds?: number };
  /** Inbound tuning for tests: the in-memory backlog and the leftover retry period. */
  inbound?: { backlog?: number; retryMs?: number };
  /** WhatsApp Channel tuning for tests: how long a post waits for its ack, the requests' safety poll. */
  channel?: { ackTimeoutMs?: number; pollMs?: number };
};

export type Bridge = {
  state(): { link: LinkState; linked: boolean; sending: boolean; sent: number; lastSentAt: string | null };
  stop(): Promise<void>;
  /**
   * Stops at once: no further send, the socket ended now, nothing written to the shared state.
   * For when this process lost the bridge role and another may already own the link.
   */
  abort(): Promise<void>;
  /** The WhatsApp Channel outlet over this bridge's socket, for the outlet engine (Baileys only). */
  channelOutlet?: BroadcastOutlet;
};

/** Keeps one WhatsApp socket alive, answers citizens, rejects calls and drains the delivery queue. */
export async function startBridge(deps: BridgeDeps): Promise<Bridge> {
  const { db } = deps.database;
  const { config } = deps;
  const logger = deps.logger.child({ role: 'bridge' });
  const makeSocket = deps.makeSocket ?? makeBaileysSocket;
  const backoff = deps.backoff ?? { baseMs: 2_000, maxMs: 120_000 };
  let auth: DbAuthState = await loadAuthState(db, logger);
  let socket: BridgeSocket | undefined;
  let link: LinkState = 'connecting';
  let stopped = false;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  // Control events (credentials, connection, ban signals, calls, receipts) in order, on their own
  // chain: answering citizens runs elsewhere and never holds them up.
  let control: Promise<void> = Promise.resolve();
  // Set when a person is linking (QR shown, code asked): the open that follows is announced.
  let linking = false;

  const current = () => socket;
  const outbound = createOutbound({
    db,
    socket: current,
    logger: logger.child({ module: 'outbound' }),
    publicLink: { publicBaseUrl: config.publicBaseUrl, bulletinLink: config.bulletinLink ?? false },
  });
  const sender: Sender = await startSender({
    database: deps.database,
    logger: logger.child({ module: 'sender' }),
    socket: current,
    outbound,
    pacing:
      config.sendPacing === 'off'
        ? 'off'
        : {
            ratePerMinute: config.sendRatePerMinute,
            maxPerHour: config.sendLimits.maxPerHour,
            maxPerDay: config.sendLimits.maxPerDay,
            warmupDays: config.sendLimits.warmupDays,
          },
    maxAttempts: config.sendLimits.maxAttempts,
    ...deps.sender,
  });
  const onReceipts = createReceiptHandler({
    db,
    retentionHours: config.receiptRetentionHours,
    logger: logger.child({ module: 'receipts' }),
    socket: current,
  });
  const inbound = createInbound({
    db,
    comune: config.comune,
    privacyVersion: config.privacyVersion,
    limits: {
      perSenderPerHour: config.replyMaxPerSenderHour,
      cooldownHours: config.autoReplyCooldownHours,
      maxDelayMinutes: config.replyMaxDelayMinutes,
    },
    logger: logger.child({ module: 'inbound' }),
    socket: current,
    forgetKeys: (jids) => auth.forget(jids),
    onReply: () => sender.wake(),
    ...deps.inbound,
  });
  const onCalls = createCallRejecter({ socket: current, logger, afterReject: inbound.afterCall });
  const banSignals = createBanSignals({
    db,
    socket: current,
    logger: logger.child({ module: 'ban-signals' }),
  });
  const monitor = createLinkMonitor({
    db,
    alertMs: deps.downAlertMs ?? config.waDownAlertMinutes * 60_000,
    logger,
  });
  const pairing = await startPairing({
    database: deps.database,
    socket: current,
    isLinked: () => auth.isLinked(),
    logger: logger.child({ module: 'pairing' }),
  });
  const channelRequests = await startChannelRequests({
    database: deps.database,
    socket: current,
    isOpen: () => link === 'open',
    logger: logger.child({ module: 'channel' }),
    pollMs: deps.channel?.pollMs,
  });
  const channelOutlet = createWhatsappChannelOutlet({
    db,
    socket: current,
    isOpen: () => link === 'open',
    logger: logger.child({ module: 'channel' }),
    ackTimeoutMs: deps.channel?.ackTimeoutMs,
  });
  // The staff group shows the QR; a terminal only when someone is at it (not in shipped logs).
  const showQr = deps.showQr ?? ((qr: string) => (process.stdout.isTTY ? printQr(qr) : undefined));

  async function setLink(next: LinkState, linkedNumber?: string) {
    link = next;
    await recordLink(db, { link: next, linkedNumber });
  }

  function notify(notice: Parameters<typeof postStaffNotice>[1]) {
    return postStaffNotice(db, notice);
  }

  function scheduleReconnect(delayMs: number) {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, delayMs);
  }

  async function onClose(update: Partial<ConnectionState>) {
    sender.setReady(false);
    socket = undefined;
    if (stopped) return;
    const code = closeCode(update.lastDisconnect?.error);
    const action = closeAction(code);
    logger.warn({ code, action }, 'WhatsApp connection closed');
    switch (action) {
      case 'reconnect_now':
        return scheduleReconnect(0);
      // The end of this number's link until someone acts: staff hear why.
      case 'replaced':
      case 'banned':
      case 'outdated':
        monitor.stop();
        await setLink(action);
        await notify({ kind: `wa_${action}` });
        return;
      case 'logged_out':
        monitor.stop();
        await auth.clear();
        auth = await loadAuthState(db, logger);
        await recordLogout(db);
        await setLink('logged_out');
        return scheduleReconnect(0);
      case 'backoff': {
        // A number waiting to be linked is not "down": its QR ran out.
        if (auth.isLinked()) monitor.down();
        failures += 1;
        await setLink('reconnecting');
        return scheduleReconnect(backoffDelay(failures, backoff));
      }
    }
  }

  async function onOpen() {
    failures = 0;
    const me = socket?.user?.id;
    const number = me ? jidNormalizedUser(me) : undefined;
    link = 'open';
    // A number other than the one linked before sends nothing until an amministratore confirms it.
    const trust = await recordLinkOpen(db, { number, linking });
    logger.info({ trust }, 'WhatsApp connected');
    await monitor.up();
    const pause = await queuePause(db);
    if (pause?.signal === 'logged_out') await resumeQueue(db);
    if (linking) {
      linking = false;
      if (trust === 'trusted') await notify({ kind: 'wa_linked', number: number ?? null });
    }
    channelRequests.onOpen();
    // Learn a restriction that began while we were away; the answer comes as a connection.update.
    void socket?.fetchAccountReachoutTimelock?.().catch(() => {});
  }

  async function onConnectionUpdate(update: Partial<ConnectionState>) {
    if (update.qr) {
      linking = true;
      if (link !== 'waiting_for_link') await setLink('waiting_for_link');
      await setLinkQr(db, update.qr);
      await showQr(update.qr);
      await pairing.onQr();
    }
    if (update.isNewLogin) linking = true;
    if (update.connection === 'open') await onOpen();
    // Deliveries wait until the server has replayed what arrived while we were away.
    if (update.receivedPendingNotifications && link === 'open') {
      // Replays are in; what was recorded but never answered (a crash, a dead connection) is next.
      inbound.answerLeftovers();
      sender.setReady(true);
    }
    if (update.reachoutTimeLock) await banSignals.onTimeLock(update.reachoutTimeLock);
    if (update.connection === 'close') await onClose(update);
  }

  async function onLidMapping({ pn, lid }: BaileysEventMap['lid-mapping.update']) {
    await learnAddressPair(db, { phoneJid: jidNormalizedUser(pn), lid: jidNormalizedUser(lid) });
  }

  async function handle(events: Partial<BaileysEventMap>) {
    if (events['creds.update']) await auth.saveCreds();
    if (events['connection.update']) await onConnectionUpdate(events['connection.update']);
    if (events['lid-mapping.update']) await onLidMapping(events['lid-mapping.update']);
    if (events['messages.update']) {
      await onReceipts(events['messages.update']);
      await banSignals.onMessageUpdates(events['messages.update']);
    }
    if (events['message-capping.update']) await banSignals.onCapping(events['message-capping.update']);
    if (events.call) await onCalls(events.call);
  }

  function connect() {
    if (stopped) return;
    // Never two sockets at once: the old one is ended before a new one is made.
    socket?.end(undefined);
    link = 'connecting';
    const sock = makeSocket({
      auth: auth.state,
      logger,
      // Baileys asks when someone's device could not decrypt a message and wants it again.
      getMessage: async (key) =>
        key.id ? outbound.messageForRetry(key.id, await peerAddresses(sock, key.remoteJid)) : undefined,
    });
    socket = sock;
    // Baileys does not await process handlers: chain them so updates are handled in order.
    sock.ev.process((events) => {
      // Baileys has already acknowledged these messages to WhatsApp, which will not send them
      // again: inbound records them now and answers them on its own lane.
      const upsert = events['messages.upsert'];
      if (upsert) inbound.receive(upsert);
      control = control.then(async () => {
        // Events of a socket already replaced are not ours to act on.
        if (sock !== socket) return;
        try {
          await handle(events);
        } catch (err) {
          logger.error({ err }, 'WhatsApp event not handled');
        }
      });
    });
  }

  connect();

  return {
    channelOutlet,
    state: () => {
      const stats = sender.stats();
      return {
        link,
        linked: auth.isLinked(),
        sending: stats.ready,
        sent: stats.sent,
        lastSentAt: stats.lastSentAt?.toISOString() ?? null,
      };
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      monitor.stop();
      // Baileys acknowledged these messages before handing them to us; WhatsApp will not send them
      // again. Inbound records what it holds; answers and replies wait in the database.
      await inbound.stop();
      await sender.stop();
      await pairing.stop();
      await channelRequests.stop();
      await control;
      const last = socket;
      socket = undefined;
      last?.end(undefined);
      await control;
      link = 'stopped';
      await recordLink(db, { link: 'stopped' }).catch(() => {});
      // A QR dies with its socket: the staff group should not keep showing one nobody can use.
      await setLinkQr(db, null).catch(() => {});
    },
    async abort() {
      stopped = true;
      clearTimeout(reconnectTimer);
      monitor.stop();
      // The sender stops before its next send; the one on the wire fails with the socket.
      const halted = sender.stop();
      const last = socket;
      socket = undefined;
      last?.end(undefined);
      await halted;
      await pairing.stop();
      await channelRequests.stop();
      await inbound.stop();
      link = 'stopped';
    },
  };
}

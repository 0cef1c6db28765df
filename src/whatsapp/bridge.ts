import { type ConnectionState, DisconnectReason } from '@whiskeysockets/baileys';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type DbAuthState, loadAuthState } from './auth-state.js';
import { createCallRejecter } from './calls.js';
import { createInboundHandler } from './inbound.js';
import { createOutbound } from './outbound.js';
import { printQr } from './qr.js';
import { createReceiptHandler } from './receipts.js';
import { type Sender, startSender } from './sender.js';
import { type BridgeSocket, type MakeSocket, makeBaileysSocket } from './socket.js';

export type LinkState =
  | 'connecting'
  | 'waiting_for_link'
  | 'open'
  | 'reconnecting'
  | 'replaced'
  | 'banned'
  | 'stopped';

export type BridgeDeps = {
  config: Pick<
    Config,
    'comune' | 'sendRatePerMinute' | 'sendLimits' | 'sendPacing' | 'receiptRetentionHours' | 'privacyVersion'
  >;
  database: Database;
  logger: Logger;
  makeSocket?: MakeSocket;
  showQr?: (qr: string) => Promise<void> | void;
  /** Backoff for transient closes; tests shorten it. */
  backoff?: { baseMs: number; maxMs: number };
  /** Sender tuning for tests: the safety poll and the lease. */
  sender?: { pollMs?: number; leaseSeconds?: number; batchSize?: number };
};

export type Bridge = {
  state(): { link: LinkState; linked: boolean; sending: boolean; sent: number; lastSentAt: string | null };
  stop(): Promise<void>;
};

const TRANSIENT = new Set<number>([
  DisconnectReason.connectionClosed,
  DisconnectReason.connectionLost,
  DisconnectReason.badSession,
  DisconnectReason.unavailableService,
]);

/** Keeps one WhatsApp socket alive, answers citizens, rejects calls and drains the delivery queue. */
export async function startBridge(deps: BridgeDeps): Promise<Bridge> {
  const { db } = deps.database;
  const logger = deps.logger.child({ role: 'bridge' });
  const makeSocket = deps.makeSocket ?? makeBaileysSocket;
  const backoff = deps.backoff ?? { baseMs: 2_000, maxMs: 120_000 };
  let auth: DbAuthState = await loadAuthState(db, logger);
  let socket: BridgeSocket | undefined;
  let link: LinkState = 'connecting';
  let stopped = false;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let handling: Promise<void> = Promise.resolve();

  const current = () => socket;
  const { config } = deps;
  const outbound = createOutbound({ db, socket: current, logger: logger.child({ module: 'outbound' }) });
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
    receiptRetentionHours: config.receiptRetentionHours,
    ...deps.sender,
  });
  const onReceipts = createReceiptHandler({
    db,
    retentionHours: config.receiptRetentionHours,
    logger: logger.child({ module: 'receipts' }),
  });
  const onUpsert = createInboundHandler({
    db,
    comune: deps.config.comune,
    privacyVersion: config.privacyVersion,
    logger: logger.child({ module: 'inbound' }),
    socket: current,
  });
  const onCalls = createCallRejecter({ socket: current, logger });
  const showQr = deps.showQr ?? ((qr: string) => printQr(qr));

  function scheduleReconnect(delayMs: number) {
    if (stopped || reconnectTimer) return;
    link = 'reconnecting';
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, delayMs);
  }

  async function onClose(update: Partial<ConnectionState>) {
    sender.setReady(false);
    socket = undefined;
    if (stopped) return;
    // Baileys closes with a Boom error whose output carries the DisconnectReason code.
    const code = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output
      ?.statusCode;
    logger.warn({ code }, 'WhatsApp connection closed');
    if (code === DisconnectReason.restartRequired) return scheduleReconnect(0);
    if (code === DisconnectReason.connectionReplaced) {
      link = 'replaced';
      logger.error('another WhatsApp Web session took over this number; not reconnecting');
      return;
    }
    if (code === DisconnectReason.forbidden) {
      link = 'banned';
      logger.error('WhatsApp refused this number (403): it may be banned');
      return;
    }
    if (code === DisconnectReason.loggedOut) {
      logger.error('WhatsApp logged this device out: link the number again');
      await auth.clear();
      auth = await loadAuthState(db, logger);
      return scheduleReconnect(0);
    }
    // 408 (QR expired or connection lost), 428, 500, 503 and anything unknown: back off with jitter.
    failures += 1;
    const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (failures - 1));
    scheduleReconnect(Math.round(delay * (0.5 + Math.random() / 2)));
    if (!TRANSIENT.has(code ?? 0)) logger.warn({ code }, 'unexpected close code; reconnecting with backoff');
  }

  async function onConnectionUpdate(update: Partial<ConnectionState>) {
    if (update.qr) {
      link = 'waiting_for_link';
      await showQr(update.qr);
    }
    if (update.connection === 'open') {
      link = 'open';
      failures = 0;
      logger.info('WhatsApp connected');
    }
    if (update.receivedPendingNotifications && link === 'open') sender.setReady(true);
    if (update.connection === 'close') await onClose(update);
  }

  function connect() {
    if (stopped) return;
    // Never two sockets at once: the old one is ended before a new one is made.
    socket?.end(undefined);
    link = 'connecting';
    const sock = makeSocket({
      auth: auth.state,
      logger,
      getMessage: async (key) => (key.id ? outbound.messageForId(key.id) : undefined),
    });
    socket = sock;
    // Baileys does not await process handlers: chain them so updates are handled in order.
    sock.ev.process((events) => {
      handling = handling.then(async () => {
        // Events of a socket already replaced (or ended on stop) are not ours to act on.
        if (sock !== socket) return;
        try {
          if (events['creds.update']) await auth.saveCreds();
          if (events['connection.update']) await onConnectionUpdate(events['connection.update']);
          if (events['messages.upsert']) await onUpsert(events['messages.upsert']);
          if (events['messages.update']) await onReceipts(events['messages.update']);
          if (events.call) await onCalls(events.call);
        } catch (err) {
          logger.error({ err }, 'WhatsApp event not handled');
        }
      });
    });
  }

  connect();

  return {
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
      await sender.stop();
      const last = socket;
      socket = undefined;
      last?.end(undefined);
      await handling;
      link = 'stopped';
    },
  };
}

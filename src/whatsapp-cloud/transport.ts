import type { CloudConfig, Config } from '../config.js';
import { recordLink, setLinkQr } from '../core/bridge-state.js';
import { reachStoredLids } from '../core/lid-reach.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Bridge } from '../whatsapp/bridge.js';
import { startEventProcessor } from './events.js';
import { createGraphApi, type GraphApi } from './graph-api.js';
import { createOutgoing } from './outgoing.js';
import { startCloudSender } from './sender.js';

export type CloudTransportDeps = {
  config: Pick<
    Config,
    | 'comune'
    | 'privacyVersion'
    | 'autoReplyCooldownHours'
    | 'replyMaxPerSenderHour'
    | 'replyMaxDelayMinutes'
    | 'receiptRetentionHours'
    | 'sendLimits'
    | 'publicBaseUrl'
    | 'bulletinLink'
  > & { whatsappCloud: CloudConfig };
  database: Database;
  logger: Logger;
  /** Tests and benchmarks: another Graph API client. */
  api?: GraphApi;
  pollMs?: number;
};

/**
 * The per-recipient outlet over Meta's Cloud API (WA_TRANSPORT=cloud), in place of the Baileys
 * bridge: nothing to link, the webhook (mounted on the HTTP port apart, see webhook.ts) brings
 * citizens' messages and statuses, which are processed here; the sender drains the deliveries.
 */
export async function startCloudTransport(deps: CloudTransportDeps): Promise<Bridge> {
  const { config, database } = deps;
  const cloud = config.whatsappCloud;
  const logger = deps.logger.child({ role: 'bridge', transport: 'cloud' });
  const api = deps.api ?? createGraphApi(cloud);
  // A QR left by the Baileys transport links nothing here.
  await setLinkQr(database.db, null);
  await recordLink(database.db, { link: 'open' });
  const reached = await reachStoredLids(database.db);
  if (reached > 0)
    logger.info({ reached }, 'subscribers known only by a LID reachable by the number WhatsApp gave before');
  const outgoing = createOutgoing({
    db: database.db,
    api,
    template: cloud.template,
    publicBaseUrl: config.publicBaseUrl,
    bulletinLink: config.bulletinLink,
    logger: logger.child({ module: 'outgoing' }),
  });
  const sender = await startCloudSender({
    database,
    logger: logger.child({ module: 'sender' }),
    api,
    outgoing,
    ratePerSecond: cloud.ratePerSecond,
    dailyLimit: cloud.dailyLimit,
    reconcileMs: cloud.reconcileMs,
    maxAttempts: config.sendLimits.maxAttempts,
    pollMs: deps.pollMs,
  });
  const events = await startEventProcessor({
    database,
    comune: config.comune,
    privacyVersion: config.privacyVersion,
    limits: {
      perSenderPerHour: config.replyMaxPerSenderHour,
      cooldownHours: config.autoReplyCooldownHours,
      maxDelayMinutes: config.replyMaxDelayMinutes,
    },
    receiptRetentionHours: config.receiptRetentionHours,
    dailyLimit: cloud.dailyLimit,
    template: cloud.template,
    logger: logger.child({ module: 'webhook-events' }),
    wakeSender: () => sender.wake(),
    pollMs: deps.pollMs,
  });
  logger.info(
    { ratePerSecond: cloud.ratePerSecond, dailyLimit: cloud.dailyLimit },
    'Cloud API transport ready',
  );
  let link: 'open' | 'stopped' = 'open';

  async function halt(record: boolean) {
    link = 'stopped';
    await sender.stop();
    await events.stop();
    if (record) await recordLink(database.db, { link: 'stopped' }).catch(() => {});
  }

  return {
    state: () => {
      const stats = sender.stats();
      return {
        link,
        linked: true,
        sending: link === 'open',
        sent: stats.sent,
        lastSentAt: stats.lastSentAt?.toISOString() ?? null,
      };
    },
    stop: () => halt(true),
    abort: () => halt(false),
  };
}

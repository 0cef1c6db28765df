import type { Server } from 'node:http';
import type { ActiveRole, Running } from './active-role.js';
import type { Config, Role } from './config.js';
import type { Database } from './db/client.js';
import { healthOf } from './health.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics/registry.js';
import type { RunningBot } from './telegram/bot.js';
import { createWebApp, startWebServer } from './web/server.js';
import type { Bridge } from './whatsapp/bridge.js';
import { cloudWebhook } from './whatsapp-cloud/webhook.js';

/** The roles this process runs, set once each has started (the first attempt, active or standby). */
export type StartedRoles = { bot?: ActiveRole<RunningBot>; bridge?: ActiveRole<Bridge> };

export const STARTING = 'starting: the bot and the bridge are not running yet';

/**
 * The program's HTTP port, opened as soon as the database is: /healthz answers 503 ("starting")
 * until `started()` is called, then what each role reports; /metrics, the public archive and the
 * Cloud API's webhook.
 */
export async function openWebPort(deps: {
  config: Config;
  role: Role;
  database: Database;
  roles: StartedRoles;
  logger: Logger;
}): Promise<{ server: Server; started(): void }> {
  const { config, role, database, roles } = deps;
  const runsBot = role !== 'bridge';
  const runsBridge = role !== 'bot';
  let started = false;
  const metrics = createMetrics({
    db: database.db,
    role,
    bot: runsBot ? { state: () => roles.bot?.current()?.state() ?? 'stopped' } : undefined,
    bridge: runsBridge ? { state: () => roles.bridge?.current()?.state() ?? { sent: 0 } } : undefined,
  });
  const app = createWebApp({
    health: async () => {
      if (!started) return { ok: false, reasons: [STARTING], role };
      const { bot, bridge } = roles;
      const health = await healthOf({ role, database, bot: bot?.current(), bridge: bridge?.current() });
      // A standby is healthy: it has no bot or bridge state of its own, only which copy is active.
      return {
        ...health,
        bot: bot && { ...(health.bot as object | undefined), ...ownerOf(bot) },
        bridge: bridge && { ...(health.bridge as object | undefined), ...ownerOf(bridge) },
      };
    },
    metrics,
    archive: { db: database.db, comuneName: config.comune.name, publicBaseUrl: config.publicBaseUrl },
    // The Cloud API's webhook only records what comes: every copy (active or standby) takes it.
    routes: config.whatsappCloud && [
      cloudWebhook({
        db: database.db,
        verifyToken: config.whatsappCloud.verifyToken,
        appSecret: config.whatsappCloud.appSecret,
        logger: deps.logger.child({ module: 'cloud-webhook' }),
      }),
    ],
  });
  const server = await startWebServer(config.port, app);
  return {
    server,
    started: () => {
      started = true;
    },
  };
}

/** /healthz for one role: standing by is healthy; the active one adds what the role reports. */
function ownerOf<T extends Running>(role: ActiveRole<T>): object {
  const { state, since } = role.state();
  return role.current() ? { owner: 'active' } : { owner: state, since };
}

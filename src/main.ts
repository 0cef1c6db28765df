import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, loadConfig, placeholdersInUse, type Role } from './config.js';
import { FIXED_RETENTION } from './core/retention.js';
import { openDatabase } from './db/client.js';
import { startHealthServer } from './health.js';
import { createLogger, type Logger } from './logger.js';
import { startRetentionJob } from './retention-job.js';
import { startBot } from './telegram/bot.js';
import { type BridgeDeps, startBridge } from './whatsapp/bridge.js';
import type { MakeSocket } from './whatsapp/socket.js';

const ROLES: readonly Role[] = ['all', 'bot', 'bridge'];

function parseRole(arg: string | undefined): Role {
  const role = (arg ?? 'all') as Role;
  if (!ROLES.includes(role))
    throw new ConfigError([`role: '${arg}' is not a role; use one of: ${ROLES.join(', ')}`]);
  return role;
}

/** The test seam: a stand-in socket module, and optionally sender tuning (a short lease) with it. */
async function loadStandIn(config: Config): Promise<Pick<BridgeDeps, 'makeSocket' | 'sender'>> {
  if (!config.waSocketModule) return {};
  const module = (await import(pathToFileURL(resolve(config.waSocketModule)).href)) as {
    makeSocket: MakeSocket;
    senderTuning?: BridgeDeps['sender'];
  };
  return { makeSocket: module.makeSocket, sender: module.senderTuning };
}

async function run(role: Role, config: Config, logger: Logger): Promise<void> {
  const placeholders = placeholdersInUse(config);
  if (placeholders.length > 0) {
    logger.warn({ variables: placeholders }, 'citizens will read placeholders: set these variables');
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ role, engine: database.engine }, 'database ready, migrations applied');

  const bot = role === 'bridge' ? undefined : await startBot({ config, database, logger });
  const bridge =
    role === 'bot'
      ? undefined
      : await startBridge({ config, database, logger, ...(await loadStandIn(config)) });
  // Retention runs beside the bridge, which owns most of what it prunes; one process is enough.
  const retention = bridge
    ? startRetentionJob({
        database,
        logger: logger.child({ module: 'retention' }),
        policy: {
          deliveryDays: config.deliveryRetentionDays,
          receiptHours: config.receiptRetentionHours,
          ...FIXED_RETENTION,
        },
      })
    : undefined;
  const health = await startHealthServer(config.port, () => ({
    role,
    bot: bot ? { state: bot.state() } : undefined,
    bridge: bridge?.state(),
  }));
  logger.info({ port: config.port }, 'banditore running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    health.close();
    await Promise.allSettled([bot?.stop(), bridge?.stop(), retention?.stop()]);
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let role: Role;
  let config: Config;
  try {
    role = parseRole(process.argv[2]);
    config = loadConfig(role);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(`banditore: ${problem}`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  // Baileys can reject a promise nobody awaits; one bad stanza must not stop the Comune's service.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  try {
    await run(role, config, logger);
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    console.error(`banditore: start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

await main();

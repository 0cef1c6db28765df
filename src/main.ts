import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { type Running, startActiveRole } from './active-role.js';
import { type Config, ConfigError, loadConfig, placeholdersInUse, type Role } from './config.js';
import { type Engine, startEngine } from './core/engine.js';
import type { BroadcastOutlet } from './core/outlets.js';
import { FIXED_RETENTION } from './core/retention.js';
import { openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { isClosedSocketWrite, isClosedTypeFetch } from './db/driver-quirks.js';
import { createLogger, type Logger, scrubText } from './logger.js';
import { configuredOutlets, registerOutlets } from './outlet-registry.js';
import { startRetentionJob } from './retention-job.js';
import { startBot } from './telegram/bot.js';
import { openWebPort, type StartedRoles } from './web-port.js';
import type { BridgeDeps } from './whatsapp/bridge.js';
import type { MakeSocket } from './whatsapp/socket.js';
import { startCloudTransport } from './whatsapp-cloud/transport.js';

const ROLES: readonly Role[] = ['all', 'bot', 'bridge'];
/** After a shutdown ran past its deadline, how long closing the database may still take. */
const FORCED_CLOSE_MS = 2_000;

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
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    lockWaitMs: config.dataDirLockWaitMs,
    log: logger,
  });
  logger.info({ role, engine: database.engine }, 'database ready, migrations applied');
  const roles: StartedRoles = {};
  const web = await openWebPort({ config, role, database, roles, logger });

  const roleOptions = {
    database,
    url: config.databaseUrl,
    pollMs: config.standbyPollMs,
    machine: config.machine,
    // A standby whose takeover failed cannot do its job: exit, and let the supervisor restart it.
    onFatal: (err: unknown) => {
      console.error(`banditore: taking over failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  };
  // Each role runs core's engine with the broadcast outlets it owns (outlet-registry.ts).
  const outlets = await registerOutlets({ config, logger, db: database.db });
  // The engines' first round waits until both roles run: a bulletin due at start (its fan-out, its
  // posts) would otherwise share PGlite's one connection with the start-up and hold /healthz back.
  let startedUp: () => void = () => {};
  const after = new Promise<void>((resolve) => {
    startedUp = resolve;
  });
  const engineFor = (owned: BroadcastOutlet[], roleName: 'bot' | 'bridge') =>
    startEngine({
      after,
      db: database.db,
      listen: database.listen,
      outlets: owned,
      logger: logger.child({ role: roleName, component: 'engine' }),
      link: config,
    });
  roles.bot =
    role === 'bridge'
      ? undefined
      : await startActiveRole({
          ...roleOptions,
          role: 'bot',
          logger: logger.child({ role: 'bot' }),
          start: async () =>
            withEngine(
              await startBot({ config, database, logger, outlets: configuredOutlets(outlets, config) }),
              await engineFor(outlets.bot, 'bot'),
            ),
        });
  const standIn = role === 'bot' ? {} : await loadStandIn(config);
  roles.bridge =
    role === 'bot'
      ? undefined
      : await startActiveRole({
          ...roleOptions,
          role: 'bridge',
          logger: logger.child({ role: 'bridge' }),
          start: async () => {
            const transport = config.whatsappCloud
              ? await startCloudTransport({
                  config: { ...config, whatsappCloud: config.whatsappCloud },
                  database,
                  logger,
                })
              : await (await import('./whatsapp/bridge.js')).startBridge({
                  config,
                  database,
                  logger,
                  ...standIn,
                });
            // The WhatsApp Channel posts over the bridge's own socket (Baileys only).
            const channel = 'channelOutlet' in transport ? transport.channelOutlet : undefined;
            const seamHasIt = outlets.bridge.some((outlet) => outlet.name === channel?.name);
            return withEngine(
              transport,
              await engineFor([...outlets.bridge, ...(channel && !seamHasIt ? [channel] : [])], 'bridge'),
            );
          },
        });
  // Retention runs beside the bridge (active or standby: it is safe twice), which owns most of
  // what it prunes.
  const retention =
    role !== 'bot'
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
  web.started();
  startedUp();
  logger.info({ port: config.port }, 'banditore running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(async () => {
      logger.error('shutdown took too long; closing the database and exiting');
      // Close what can be closed in a moment; the data directory's lock goes with the process.
      await Promise.race([database.close().catch(() => {}), sleep(FORCED_CLOSE_MS)]);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    web.server.close();
    await Promise.allSettled([roles.bot?.stop(), roles.bridge?.stop(), retention?.stop()]);
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  // Ctrl-C reaches both npm and the program, and npm passes it on: a second signal must not kill it.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** A role's running parts with its engine: the engine stops first, then the role. */
function withEngine<T extends Running>(running: T, engine: Engine): T {
  return {
    ...running,
    stop: async () => {
      await engine.stop();
      await running.stop();
    },
    ...(running.abort
      ? {
          abort: async () => {
            await engine.stop();
            await running.abort?.();
          },
        }
      : {}),
  };
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
  process.on('unhandledRejection', (err) => {
    if (isClosedTypeFetch(err))
      return logger.warn({ err }, 'database connection closed under its type fetch');
    logger.error({ err }, 'unhandled rejection');
  });
  process.on('uncaughtException', (err) => {
    if (isClosedSocketWrite(err)) return logger.warn({ err }, 'database connection closed under a write');
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  try {
    await run(role, config, logger);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(`banditore: ${err.message}`);
      process.exit(1);
    }
    logger.fatal({ err }, 'start-up failed');
    console.error(
      `banditore: start-up failed: ${scrubText(err instanceof Error ? err.message : String(err))}`,
    );
    process.exit(1);
  }
}

await main();

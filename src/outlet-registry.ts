import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from './config.js';
import { inOutletOrder } from './core/bulletin-outlets.js';
import type { BroadcastOutlet, OutletName } from './core/outlets.js';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';
import { telegramChannelOutletFrom } from './telegram/channel-outlet.js';
import { createArchiveOutlet } from './web/archive-outlet.js';

/**
 * The broadcast outlets of this installation, by the role that runs them: the bot role runs the
 * Telegram channel and the archive, the bridge role the WhatsApp Channel (it needs the linked
 * socket). Each role's core engine runs its own; WhatsApp 1:1 is the bridge's sender, always on.
 */
export type OutletRegistry = { bot: BroadcastOutlet[]; bridge: BroadcastOutlet[] };

/** What registerOutlets gets to build outlets with. */
export type OutletContext = { config: Config; logger: Logger; db: Db };

/** Builds the configured outlets. */
export async function registerOutlets(context: OutletContext): Promise<OutletRegistry> {
  const registry: OutletRegistry = { bot: [], bridge: [] };
  const { config, logger, db } = context;
  // ── Outlets register here ────────────────────────────────────────────────────────────────────
  // Each configured outlet joins the role that runs it. The WhatsApp Channel posts over the
  // bridge's socket: main.ts adds the bridge's own `channelOutlet` to the bridge role's engine.
  const telegram = telegramChannelOutletFrom(config, logger.child({ outlet: 'telegram_channel' }));
  if (telegram) registry.bot.push(telegram);
  // The site serves the archive on the HTTP port; staff choose it when it has a public address.
  if (config.publicBaseUrl)
    registry.bot.push(createArchiveOutlet({ db, publicBaseUrl: config.publicBaseUrl }));
  // ─────────────────────────────────────────────────────────────────────────────────────────────
  if (config.outletsModule) {
    // Test seam, as WA_SOCKET_MODULE is for the socket: stand-in outlets from a test helper.
    const module = (await import(pathToFileURL(resolve(config.outletsModule)).href)) as {
      botOutlets?: () => BroadcastOutlet[];
      bridgeOutlets?: () => BroadcastOutlet[];
    };
    registry.bot.push(...(module.botOutlets?.() ?? []));
    registry.bridge.push(...(module.bridgeOutlets?.() ?? []));
  }
  return registry;
}

/** The outlets staff can choose for a bulletin: WhatsApp 1:1 and every registered one. */
export function configuredOutlets(registry: OutletRegistry): OutletName[] {
  return inOutletOrder([
    'whatsapp',
    ...registry.bot.map((o) => o.name),
    ...registry.bridge.map((o) => o.name),
  ]);
}

import type { Server } from 'node:http';
import type { Role } from './config.js';
import type { Database } from './db/client.js';
import { pingDatabase } from './db/ping.js';
import type { RunningBot } from './telegram/bot.js';
import { createWebApp, startWebServer } from './web/server.js';
import type { Bridge } from './whatsapp/bridge.js';

/** What /healthz answers: `ok` false (HTTP 503) with each reason in `reasons`, and each part's state. */
export type Health = { ok: boolean; reasons: string[] } & Record<string, unknown>;

/** What GET /metrics serves (Prometheus text); without it the route answers 404. */
export type MetricsHandler = { contentType: string; render(): Promise<string> };

const DATABASE_TIMEOUT_MS = 2_000;

/** WhatsApp link states the bridge does not leave by itself: only an operator can help. */
const LINK_PROBLEMS: Partial<Record<ReturnType<Bridge['state']>['link'], string>> = {
  replaced: 'whatsapp: another session took over this login (440); close it and restart',
  banned: 'whatsapp: the number was refused (403)',
  outdated: 'whatsapp: this client version is too old (405)',
};

/**
 * Unhealthy is what a restart or a person must fix: the database not answering, Telegram refusing
 * the bot (401) or giving its updates to another poller (409), the WhatsApp login taken over or the
 * number banned. An outage still being retried (Telegram unreachable, WhatsApp reconnecting, a
 * number waiting to be linked) is healthy: the rest of the service goes on meanwhile.
 */
export async function healthOf(parts: {
  role: Role;
  database: Pick<Database, 'db'>;
  bot?: Pick<RunningBot, 'state' | 'failure'> | undefined;
  bridge?: Pick<Bridge, 'state'> | undefined;
}): Promise<Health> {
  const reasons: string[] = [];
  const databaseOk = await pingDatabase(parts.database.db, DATABASE_TIMEOUT_MS);
  if (!databaseOk) reasons.push(`database: no answer within ${DATABASE_TIMEOUT_MS / 1000} s`);
  const bot = parts.bot ? { state: parts.bot.state(), failure: parts.bot.failure() } : undefined;
  if (bot?.state === 'stopped') reasons.push(`telegram: the bot stopped (${bot.failure ?? 'unknown'})`);
  const bridge = parts.bridge?.state();
  const linkProblem = bridge && LINK_PROBLEMS[bridge.link];
  if (linkProblem) reasons.push(linkProblem);
  return { ok: reasons.length === 0, reasons, role: parts.role, database: { ok: databaseOk }, bot, bridge };
}

/** Only /healthz and /metrics on `port` (tests; the program serves them with the rest: web/server.ts). */
export async function startHealthServer(
  port: number,
  state: () => Promise<Health> | Health,
  metrics?: MetricsHandler,
): Promise<Server> {
  return startWebServer(port, createWebApp({ health: state, metrics }));
}

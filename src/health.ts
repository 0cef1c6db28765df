import { createServer, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Role } from './config.js';
import type { Database } from './db/client.js';
import { pingDatabase } from './db/ping.js';
import type { RunningBot } from './telegram/bot.js';
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

/** GET /healthz answers 200 when healthy and 503 when not, with the state as JSON (Fly's health check). */
export async function startHealthServer(
  port: number,
  state: () => Promise<Health> | Health,
  metrics?: MetricsHandler,
  /** Apps served under /webhooks/ (the Cloud API's webhook), until this server is a Hono app itself. */
  webhooks?: { fetch(request: Request): Response | Promise<Response> },
): Promise<Server> {
  const webhookListener = webhooks && getRequestListener((request) => webhooks.fetch(request));
  const server = createServer((req, res) => {
    if (webhookListener && req.url?.startsWith('/webhooks/')) {
      void webhookListener(req, res);
      return;
    }
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      Promise.resolve()
        .then(state)
        .then(
          (health) => {
            res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(health));
          },
          () => {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: false, reasons: ['health state could not be read'] }));
          },
        );
      return;
    }
    if (metrics && req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      serveMetrics(metrics, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

function serveMetrics(metrics: MetricsHandler, res: ServerResponse): void {
  metrics.render().then(
    (body) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(body);
    },
    () => {
      // The database may be down for a moment; the scrape fails and the next one tries again.
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('metrics unavailable\n');
    },
  );
}

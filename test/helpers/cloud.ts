import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { startEngine } from '../../src/core/engine.js';
import type { Db } from '../../src/db/client.js';
import type { Logger } from '../../src/logger.js';
import type { Bridge } from '../../src/whatsapp/bridge.js';
import { startCloudTransport } from '../../src/whatsapp-cloud/transport.js';
import { cloudWebhook, WEBHOOK_PATH } from '../../src/whatsapp-cloud/webhook.js';
import { cloudEnv } from './cloud-env.js';
import type { TestDatabase } from './db.js';
import { type GraphStandIn, startGraphStandIn } from './graph-api.js';

export { APP_SECRET, cloudEnv, VERIFY_TOKEN } from './cloud-env.js';

export function cloudConfig(apiRoot: string, overrides: Record<string, string> = {}): Config {
  return parseConfig(
    {
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      STAFF_CHAT_ID: '-1001234567890',
      ADMIN_TELEGRAM_IDS: '1',
      ...cloudEnv(apiRoot, overrides),
    },
    'all',
  );
}

/**
 * The Cloud API transport on the test's database against a Graph API stand-in, with its webhook
 * served on a loopback port (the stand-in posts statuses there); all stopped after each test.
 */
export function cloudHarness(ctx: { db: Db; database: TestDatabase }) {
  const running: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const part of running.splice(0).reverse()) await part.stop();
  });
  return {
    async start(
      options: {
        overrides?: Record<string, string>;
        latencyMs?: number;
        statuses?: boolean;
        /** The transport's logger (silent otherwise). */
        logger?: Logger;
      } = {},
    ) {
      const graph: GraphStandIn = await startGraphStandIn({ latencyMs: options.latencyMs });
      running.push({ stop: () => graph.close() });
      const config = cloudConfig(graph.apiRoot, options.overrides);
      const cloud = config.whatsappCloud!;
      const app = cloudWebhook({
        db: ctx.db,
        verifyToken: cloud.verifyToken,
        appSecret: cloud.appSecret,
        logger: pino({ level: 'silent' }),
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((done) => server.once('listening', () => done()));
      running.push({
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
      const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
      if (options.statuses !== false) graph.sendStatusesTo(webhookUrl, cloud.appSecret);
      let transport: Bridge | undefined;
      // Core's engine starts and closes bulletins beside the transport, as main.ts runs it.
      const engine = await startEngine({
        db: ctx.db,
        listen: ctx.database.listen,
        outlets: [],
        logger: pino({ level: 'silent' }),
        link: config,
        tickMs: 100,
      });
      running.push(engine);
      /** pollMs: the transport's safety poll (200 ms unless a test shows it is not needed). */
      const startTransport = async (start: { pollMs?: number } = {}) => {
        transport = await startCloudTransport({
          config: { ...config, whatsappCloud: cloud },
          database: ctx.database,
          logger: options.logger ?? pino({ level: 'silent' }),
          pollMs: start.pollMs ?? 200,
        });
        running.push(transport);
        return transport;
      };
      return { graph, webhookUrl, config, startTransport };
    },
  };
}

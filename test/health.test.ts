import type { Server } from 'node:http';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Health, healthOf, startHealthServer } from '../src/health.js';
import { type RunningBot, startBot } from '../src/telegram/bot.js';
import type { Bridge } from '../src/whatsapp/bridge.js';
import { type BotApiServer, messageUpdate, startBotApiServer } from './helpers/bot-api.js';
import { bridgeHarness } from './helpers/bridge.js';
import { createTestDatabase, describeWithDatabase, engines, type TestDatabase } from './helpers/db.js';
import { freePort } from './helpers/program.js';
import { admin, STAFF_CHAT, testConfig } from './telegram/support.js';

const silent = pino({ level: 'silent' });

async function serve(state: () => Promise<Health>): Promise<{ server: Server; get: () => Promise<Reply> }> {
  const port = await freePort();
  const server = await startHealthServer(port, state);
  return {
    server,
    get: async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, body: (await response.json()) as Health };
    },
  };
}

type Reply = { status: number; body: Health };

describeWithDatabase('/healthz of a running bot and bridge', (ctx) => {
  const wa = bridgeHarness(ctx);
  let telegram: BotApiServer;
  let bot: RunningBot | undefined;
  let server: Server | undefined;
  beforeEach(async () => {
    telegram = await startBotApiServer();
  });
  afterEach(async () => {
    server?.close();
    await bot?.stop();
    bot = undefined;
    await telegram.close();
  });

  async function start(): Promise<
    { bridge: Bridge; socket: Awaited<ReturnType<typeof wa.start>>['socket'] } & { get: () => Promise<Reply> }
  > {
    bot = await startBot({
      config: testConfig({ TELEGRAM_API_ROOT: telegram.apiRoot }),
      database: ctx.database,
      logger: silent,
    });
    const { bridge, socket } = await wa.start();
    const running = bot;
    const health = await serve(() => healthOf({ role: 'all', database: ctx.database, bot: running, bridge }));
    server = health.server;
    return { bridge, socket, get: health.get };
  }

  it('answers 200 while WhatsApp reconnects, and the bot keeps answering meanwhile', async () => {
    const { bridge, socket, get } = await start();
    await telegram.waitForCall('getUpdates');
    socket.open();
    await vi.waitFor(() => expect(bridge.state().sending).toBe(true));
    socket.close(408);
    // The connection lost; the stand-ins made for each new try never open.
    await vi.waitFor(() => expect(wa.factory.made.length).toBeGreaterThan(1));
    expect(bridge.state()).toMatchObject({ link: expect.stringMatching(/connecting$/), sending: false });

    telegram.push(messageUpdate({ chatId: STAFF_CHAT, from: admin, text: '/stato' }));
    await telegram.waitForCall('sendMessage');

    expect(telegram.calls('sendMessage')[0]).toMatchObject({ text: expect.stringMatching(/^WhatsApp: /) });
    expect(await get()).toMatchObject({
      status: 200,
      body: { ok: true, reasons: [], database: { ok: true }, bot: { state: 'running' } },
    });
  });

  it('answers 503 when another poller takes the bot’s updates (409), and says so', async () => {
    telegram.failNext('getUpdates', {
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request',
    });
    const { get } = await start();

    await vi.waitFor(() => expect(bot?.state()).toBe('stopped'));

    expect(await get()).toMatchObject({
      status: 503,
      body: {
        ok: false,
        reasons: ['telegram: the bot stopped (409 Conflict: terminated by other getUpdates request)'],
        bot: { state: 'stopped' },
      },
    });
  });

  it('answers 503 when Telegram refuses the token (401), while the bridge goes on', async () => {
    telegram.failNext('getMe', { error_code: 401, description: 'Unauthorized' });
    const { bridge, socket, get } = await start();
    socket.open();

    await vi.waitFor(() => expect(bot?.state()).toBe('stopped'));

    await vi.waitFor(() => expect(bridge.state().sending).toBe(true));
    expect(await get()).toMatchObject({
      status: 503,
      body: { ok: false, reasons: ['telegram: the bot stopped (401 Unauthorized)'] },
    });
    expect(telegram.calls('getUpdates')).toEqual([]);
  });

  it.each([
    [440, 'replaced', 'whatsapp: another session took over this login (440); close it and restart'],
    [403, 'banned', 'whatsapp: the number was refused (403)'],
  ])('answers 503 when WhatsApp closes with %i (%s), and says so', async (code, link, reason) => {
    const { bridge, socket, get } = await start();
    socket.open();
    socket.close(code);

    await vi.waitFor(() => expect(bridge.state().link).toBe(link));

    expect(await get()).toMatchObject({
      status: 503,
      body: { ok: false, reasons: [reason], bridge: { link } },
    });
  });
});

describe.each(engines)('/healthz when the database does not answer (%s)', ({ engine, url }) => {
  let database: TestDatabase | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    await database?.drop().catch(() => {});
  });

  it('answers 503 and says the database does not answer', async () => {
    database = await createTestDatabase(engine, url);
    const opened = database;
    const health = await serve(() => healthOf({ role: 'bridge', database: opened }));
    server = health.server;
    expect(await health.get()).toMatchObject({ status: 200, body: { ok: true, database: { ok: true } } });

    if (engine === 'postgres') {
      // The server stays up but lets nobody into this database, as when it is lost or restarting.
      const name = new URL(opened.url!).pathname.slice(1);
      const admin = postgres(url!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
      await admin.end();
    } else {
      await opened.close();
    }

    expect(await health.get()).toMatchObject({
      status: 503,
      body: { ok: false, reasons: ['database: no answer within 2 s'], database: { ok: false } },
    });
  }, 60_000);
});

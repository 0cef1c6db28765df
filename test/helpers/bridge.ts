import { pino } from 'pino';
import { afterEach } from 'vitest';
import { startEngine } from '../../src/core/engine.js';
import { unpostedNotices } from '../../src/core/notices.js';
import type { Db } from '../../src/db/client.js';
import { type Bridge, type BridgeDeps, startBridge } from '../../src/whatsapp/bridge.js';
import type { TestDatabase } from './db.js';
import { bridgeConfig, type StandInSocket, standInFactory } from './wa-socket.js';

/**
 * The bridge role as main.ts runs it: the bridge and core's engine beside it (which starts due
 * bulletins and completes them); stopping it stops both.
 */
export async function startBridgeWithEngine(deps: BridgeDeps): Promise<Bridge> {
  const engine = await startEngine({
    db: deps.database.db,
    listen: deps.database.listen,
    outlets: [],
    logger: pino({ level: 'silent' }),
    link: { publicBaseUrl: undefined, bulletinLink: false },
    tickMs: 50,
  });
  const bridge = await startBridge(deps);
  return {
    ...bridge,
    stop: async () => {
      await engine.stop();
      await bridge.stop();
    },
    abort: async () => {
      await engine.stop();
      await bridge.abort();
    },
  };
}

/**
 * Starts bridges on the test's database with stand-in sockets, and stops whatever is still
 * running after each test.
 */
export function bridgeHarness(ctx: { db: Db; database: TestDatabase }) {
  const running: Bridge[] = [];
  let factory = standInFactory();

  afterEach(async () => {
    for (const bridge of running.splice(0)) await bridge.stop();
  });

  const harness = {
    get factory() {
      return factory;
    },
    async start(
      options: Partial<Omit<BridgeDeps, 'config'>> & { config?: Partial<BridgeDeps['config']> } = {},
    ) {
      factory = standInFactory();
      const { config, ...rest } = options;
      const bridge = await startBridgeWithEngine({
        config: bridgeConfig(config),
        database: ctx.database,
        logger: pino({ level: 'silent' }),
        makeSocket: factory.makeSocket,
        showQr: () => {},
        backoff: { baseMs: 5, maxMs: 20 },
        ...rest,
      });
      running.push(bridge);
      return { bridge, socket: factory.latest() };
    },
    /** Stops a bridge now (and forgets it). */
    async stop(bridge: Bridge) {
      running.splice(running.indexOf(bridge), 1);
      await bridge.stop();
    },
    /** Texts sent to `jid` with sendMessage (answers, not bulletins), oldest first. */
    replies(socket: StandInSocket, jid: string): string[] {
      return socket.sent
        .filter((m) => m.jid === jid && !m.message)
        .map((m) => ('text' in m.content ? m.content.text : ''));
    },
    async noticeKinds(): Promise<string[]> {
      return (await unpostedNotices(ctx.db, 100)).map((n) => n.notice.kind);
    },
  };
  return harness;
}

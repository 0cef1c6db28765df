import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Role } from '../config.js';
import type { LinkState } from '../core/bridge-state.js';
import { DELIVERY_STATES, type OperationsSnapshot, operationsSnapshot } from '../core/operations.js';
import type { Db } from '../db/client.js';
import { processCounters } from './counters.js';

/**
 * How often the event-loop delay histogram samples. prom-client's default (10 ms) wakes an idle
 * process 100 times a second, most of its idle CPU; once a second still shows every stall that
 * spans a sample, and any stall of a second or more.
 */
const EVENT_LOOP_SAMPLE_MS = 1_000;

const LINK_STATES: readonly LinkState[] = [
  'connecting',
  'waiting_for_link',
  'open',
  'reconnecting',
  'replaced',
  'logged_out',
  'banned',
  'outdated',
  'stopped',
];

export type MetricsSources = {
  db: Db;
  role: Role;
  /** The bot's polling state, in a process that runs the bot. */
  bot?: { state(): 'starting' | 'running' | 'stopped' } | undefined;
  /** The bridge's sender, in a process that runs the bridge. */
  bridge?: { state(): { sent: number } } | undefined;
};

export type Metrics = { contentType: string; render(): Promise<string> };

/**
 * The Prometheus metrics of this process: the database's numbers read at each scrape (so every
 * process reports the same queue whichever role it runs), this process's own counters, and
 * Node's process metrics. Labels hold list slugs and fixed states only, never personal data.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

  // One database read per scrape, shared by every gauge that needs it.
  let snapshot: Promise<OperationsSnapshot> | undefined;
  const read = () => {
    snapshot ??= operationsSnapshot(sources.db).finally(() => {
      snapshot = undefined;
    });
    return snapshot;
  };
  const ageSeconds = (s: OperationsSnapshot, at: Date | null) =>
    at ? Math.max(0, (s.now.getTime() - at.getTime()) / 1000) : undefined;

  new Gauge({
    name: 'banditore_info',
    help: 'Always 1; the role this process runs (all, bot or bridge)',
    labelNames: ['role'] as const,
    registers,
    collect() {
      this.set({ role: sources.role }, 1);
    },
  });
  new Gauge({
    name: 'banditore_subscribers',
    help: 'Active subscribers of each list, by list slug',
    labelNames: ['list'] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      for (const list of s.lists) this.set({ list: list.slug }, list.active);
    },
  });
  new Counter({
    name: 'banditore_subscription_events_total',
    help: 'Joins and leaves of each list since the installation began, by list slug and kind',
    labelNames: ['list', 'kind'] as const,
    registers,
    async collect() {
      const s = await read();
      this.reset();
      for (const list of s.lists) {
        this.inc({ list: list.slug, kind: 'join' }, list.joins);
        this.inc({ list: list.slug, kind: 'leave' }, list.leaves);
      }
    },
  });
  new Gauge({
    name: 'banditore_recent_deliveries',
    help: 'Deliveries of the bulletins sending now or finished in the last 24 hours, by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const s = await read();
      for (const state of DELIVERY_STATES) this.set({ state }, s.recentDeliveries[state]);
    },
  });
  new Gauge({
    name: 'banditore_queue_depth',
    help: 'Deliveries still to send, all bulletins',
    registers,
    async collect() {
      this.set((await read()).queue.depth);
    },
  });
  new Gauge({
    name: 'banditore_queue_oldest_pending_age_seconds',
    help: 'How long the oldest delivery still to send has been queued (0 when the queue is empty)',
    registers,
    async collect() {
      const s = await read();
      this.set(ageSeconds(s, s.queue.oldestQueuedAt) ?? 0);
    },
  });
  new Gauge({
    name: 'banditore_queue_paused',
    help: '1 while the delivery queue is paused (by staff or a WhatsApp ban signal)',
    registers,
    async collect() {
      this.set((await read()).queue.paused ? 1 : 0);
    },
  });
  new Gauge({
    name: 'banditore_sent_last_hour',
    help: 'WhatsApp messages sent in the last hour, by any process (the send rate the caps see)',
    registers,
    async collect() {
      this.set((await read()).sentLastHour);
    },
  });
  new Gauge({
    name: 'banditore_whatsapp_link',
    help: "1 for the WhatsApp link's current state as the bridge recorded it, 0 for the others",
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const { link } = await read();
      for (const state of LINK_STATES) this.set({ state }, state === link ? 1 : 0);
    },
  });
  new Gauge({
    name: 'banditore_whatsapp_last_send_age_seconds',
    help: 'Seconds since the last WhatsApp message was sent (NaN before the first)',
    registers,
    async collect() {
      const s = await read();
      this.set(ageSeconds(s, s.lastSentAt) ?? Number.NaN);
    },
  });
  if (sources.bridge) {
    const bridge = sources.bridge;
    new Counter({
      name: 'banditore_deliveries_sent_total',
      help: "Messages this process's sender has sent since it started (rate() of it is the send rate)",
      registers,
      collect() {
        this.reset();
        this.inc(bridge.state().sent);
      },
    });
  }
  if (sources.bot) {
    const bot = sources.bot;
    new Gauge({
      name: 'banditore_telegram_polling',
      help: '1 while the staff bot is polling Telegram for updates',
      registers,
      collect() {
        this.set(bot.state() === 'running' ? 1 : 0);
      },
    });
  }

  const merged = Registry.merge([registry, processCounters]);
  return { contentType: merged.contentType, render: () => merged.metrics() };
}

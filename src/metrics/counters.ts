import { Counter, Registry } from 'prom-client';

/**
 * Counters that the adapters increment as things happen in this process (prom-client's usual
 * module-level metrics). The metrics endpoint merges this registry with what it reads at scrape.
 */
export const processCounters = new Registry();

/** Citizens' messages recorded to be answered (each WhatsApp message id once). */
export const inboundMessages = new Counter({
  name: 'banditore_inbound_messages_total',
  help: 'Messages from citizens received by this process (each message id once)',
  registers: [processCounters],
});

/** Replies sent to citizens: welcome, goodbye, lists, and the automatic reply. */
export const inboundRepliesSent = new Counter({
  name: 'banditore_inbound_replies_sent_total',
  help: 'Replies sent to citizens by this process',
  registers: [processCounters],
});

/**
 * Replies not sent on purpose, by reason: 'cooldown' (AUTO_REPLY_COOLDOWN_HOURS) today; 'budget'
 * is kept for the reply budget to increment.
 */
export const inboundRepliesWithheld = new Counter({
  name: 'banditore_inbound_replies_withheld_total',
  help: 'Replies to citizens withheld on purpose, by reason (cooldown, budget)',
  labelNames: ['reason'] as const,
  registers: [processCounters],
});

export type WithheldReason = 'cooldown' | 'budget';

/** Counts a reply withheld; the reason is one of a fixed set, never anything a citizen wrote. */
export function countReplyWithheld(reason: WithheldReason): void {
  inboundRepliesWithheld.inc({ reason });
}

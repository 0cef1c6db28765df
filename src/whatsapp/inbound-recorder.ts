import { setTimeout as sleep } from 'node:timers/promises';
import { acceptInbound, type PendingInbound } from '../core/inbound.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

/** Messages waiting in memory for a database that is away; past it new ones are lost (and logged). */
const MAX_UNRECORDED = 10_000;
const BATCH = 200;

/**
 * Records inbound messages in the order they came, a batch at a time. Baileys has acknowledged
 * them already, so an insert that fails (the database blinked) is retried with backoff, in
 * memory, before anything later: a person's "Cancella" is never recorded before their
 * "Iscrizione". `onRecorded` gets each message still to answer, once recorded.
 */
export function createRecorder(deps: { db: Db; logger: Logger; onRecorded(pending: PendingInbound): void }) {
  const waiting: PendingInbound[] = [];
  const halt = new AbortController();
  let recording: Promise<void> | undefined;

  async function record(): Promise<void> {
    let failures = 0;
    while (waiting.length > 0 && !halt.signal.aborted) {
      const batch = waiting.slice(0, BATCH);
      try {
        const open = await acceptInbound(deps.db, batch);
        waiting.splice(0, batch.length);
        if (failures > 0)
          deps.logger.warn({ failures }, 'inbound messages recorded after the database came back');
        failures = 0;
        const seen = new Set<string>();
        for (const pending of batch) {
          if (!open.has(pending.messageId) || seen.has(pending.messageId)) continue;
          seen.add(pending.messageId);
          deps.onRecorded(pending);
        }
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0)
          deps.logger.error(
            { err, waiting: waiting.length, failures },
            'inbound messages not recorded; retrying',
          );
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), undefined, {
          signal: halt.signal,
        }).catch(() => {});
      }
    }
  }

  function start() {
    if (recording || waiting.length === 0) return;
    recording = record().finally(() => {
      recording = undefined;
      // Messages may have come after the loop's last look.
      if (!halt.signal.aborted) start();
    });
  }

  return {
    /** Queues messages for recording; never waits. */
    take(messages: PendingInbound[]) {
      let lost = 0;
      for (const pending of messages) {
        if (waiting.length >= MAX_UNRECORDED) lost += 1;
        else waiting.push(pending);
      }
      if (lost > 0) deps.logger.error({ lost }, 'inbound messages lost: the database has been away too long');
      start();
    },
    /** Keeps trying for up to `graceMs`, then gives up on what is left (and says how much). */
    async stop(graceMs: number) {
      if (recording) await Promise.race([recording, sleep(graceMs, undefined, { ref: false })]);
      halt.abort();
      await recording;
      if (waiting.length > 0)
        deps.logger.error({ lost: waiting.length }, 'inbound messages not recorded before stopping');
    },
  };
}

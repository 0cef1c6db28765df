import { sql } from 'drizzle-orm';
import { expect, vi } from 'vitest';
import { deliveryMessageId, messageIdSecret } from '../../src/core/message-id.js';
import { openDatabase, rowsOf } from '../../src/db/client.js';
import { appendedJsonLines } from './appended-lines.js';
import type { Program } from './program.js';
import { approvedBulletin, seededJid, seedSubscribers } from './seed.js';

/** One bulletin send as recording-socket.ts wrote it: to whom, under which id, from which process. */
export type Sent = { jid: string; id: string; pid: number };

/** The JSON lines of a file the stand-in socket appends to (a line cut by a SIGKILL is skipped). */
export function jsonLines<T>(file: string): T[] {
  return appendedJsonLines<T>(file);
}

export const sentLines = (file: string): Sent[] => jsonLines<Sent>(file);

/** Waits until `count` different subscribers were sent to; fails at once if the program exits. */
export async function waitForSends(file: string, count: number, program: Program): Promise<void> {
  await vi.waitFor(
    () => {
      if (program.child.exitCode !== null) throw new Error(`program exited:\n${program.output()}`);
      expect(new Set(sentLines(file).map((line) => line.jid)).size).toBeGreaterThanOrEqual(count);
    },
    { timeout: 60_000, interval: 5 },
  );
}

/** Seeds the subscribers and queues one approved bulletin; returns its id. */
export async function prepareBulletin(
  options: { url?: string; dataDir?: string },
  subscribers: number,
): Promise<number> {
  const database = await openDatabase(options);
  try {
    await seedSubscribers(database.db, subscribers);
    const { id, queued } = await approvedBulletin(database.db, 'Avviso: domani acqua sospesa in via Roma.');
    expect(queued).toBe(subscribers);
    return id;
  } finally {
    await database.close();
  }
}

/** What every subscriber's phone holds, and the message ids the database derived for them. */
export async function expectEverySubscriberOnce(
  options: { url?: string; dataDir?: string },
  bulletinId: number,
  subscribers: number,
  sent: Sent[],
): Promise<{ repeats: number }> {
  const database = await openDatabase(options);
  try {
    const rows = rowsOf<{
      bulletin_id: number;
      subscriber_id: number;
      phone_jid: string;
      status: string;
      message_id: string | null;
    }>(
      await database.db.execute(sql`
        SELECT d.bulletin_id, d.subscriber_id, s.phone_jid, d.state AS status, d.message_id
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.bulletin_id = ${bulletinId}`),
    );
    expect(rows).toHaveLength(subscribers);
    const secret = await messageIdSecret(database.db);
    const idOf = new Map(
      rows.map((row) => [row.phone_jid, deliveryMessageId(secret, bulletinId, row.subscriber_id)]),
    );
    for (const row of rows) {
      expect(row.status).toBe('sent');
      // Derived, not stored: the fan-out writes no message id.
      expect(row.message_id).toBeNull();
    }
    // Every subscriber got it; every copy that reached WhatsApp carries their one message id.
    const jids = new Set(sent.map((line) => line.jid));
    for (let n = 1; n <= subscribers; n++) expect(jids.has(seededJid(n))).toBe(true);
    for (const line of sent) expect(line.id).toBe(idOf.get(line.jid));
    return { repeats: sent.length - jids.size };
  } finally {
    await database.close();
  }
}

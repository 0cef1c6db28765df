import { proto } from '@whiskeysockets/baileys';
import { eq, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { requestRevoke } from '../../src/core/control.js';
import { messageIdSecret } from '../../src/core/message-id.js';
import { claimDeliveries } from '../../src/core/outbox.js';
import { bulletinProgress } from '../../src/core/progress.js';
import { type Db, openDatabase } from '../../src/db/client.js';
import { bulletins, deliveries } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase, type TestDatabase } from '../helpers/db.js';
import { emptyPostgres } from '../helpers/empty-postgres.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';
import type { StandInSocket } from '../helpers/wa-socket.js';

const approvers = { actorId: 2, adminIds: [1, 2] };

describeWithDatabase('message ids, retries and receipts', (ctx) => {
  const harness = bridgeHarness(ctx);

  /** Two subscribers, a bulletin sent to both; returns each one's message id. */
  async function sentToTwo(): Promise<{
    socket: StandInSocket;
    bulletinId: number;
    idOf: Map<string, string>;
  }> {
    await seedSubscribers(ctx.db, 2);
    const { socket } = await harness.start();
    socket.open();
    const bulletin = await approvedBulletin(ctx.db, 'Scuole chiuse per neve');
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(2));
    const idOf = new Map(socket.sent.filter((m) => m.message).map((m) => [m.jid, m.messageId!]));
    await vi.waitFor(async () => {
      const [row] = await ctx.db
        .select({ state: bulletins.state })
        .from(bulletins)
        .where(eq(bulletins.id, bulletin.id));
      expect(row?.state).toBe('sent');
    });
    return { socket, bulletinId: bulletin.id, idOf };
  }

  /** What Baileys' retry handler gets back from our getMessage for a request from `jid`. */
  const retry = (socket: StandInSocket, jid: string, id: string) =>
    socket.options.getMessage({ remoteJid: jid, fromMe: true, id, participant: jid });

  it('answers a retry request only from the recipient of that message, also under their LID', async () => {
    const { socket, idOf } = await sentToTwo();
    const first = idOf.get(seededJid(1))!;

    expect(await retry(socket, seededJid(2), first)).toBeUndefined();
    expect(await retry(socket, '999@lid', first)).toBeUndefined();
    expect(await retry(socket, `${seededJid(1).split('@')[0]}:3@s.whatsapp.net`, first)).toMatchObject({
      extendedTextMessage: { text: 'Scuole chiuse per neve' },
    });
    socket.lidToPn.set('111@lid', seededJid(1));
    expect((await retry(socket, '111:2@lid', first))?.extendedTextMessage?.text).toBe(
      'Scuole chiuse per neve',
    );
  });

  it('never answers a retry for a bulletin staff withdrew (Ritira)', async () => {
    const { socket, bulletinId, idOf } = await sentToTwo();
    await requestRevoke(ctx.db, { bulletinId, ...approvers });
    expect(await retry(socket, seededJid(1), idOf.get(seededJid(1))!)).toBeUndefined();
  });

  it('never answers a retry for a bulletin staff stopped (Ferma), nor for a message never sent', async () => {
    const { socket, bulletinId, idOf } = await sentToTwo();
    await ctx.db.execute(sql`UPDATE bulletins SET state = 'stopped' WHERE id = ${bulletinId}`);
    expect(await retry(socket, seededJid(1), idOf.get(seededJid(1))!)).toBeUndefined();
    await ctx.db.execute(sql`UPDATE bulletins SET state = 'sent' WHERE id = ${bulletinId}`);
    await ctx.db.update(deliveries).set({ state: 'cancelled' }).where(eq(deliveries.subscriberId, 2));
    expect(await retry(socket, seededJid(2), idOf.get(seededJid(2))!)).toBeUndefined();
    expect(await retry(socket, seededJid(1), idOf.get(seededJid(1))!)).toBeDefined();
  });

  it('still finds a delivery queued before ids were derived (migration 0018) by the id it stored', async () => {
    const { socket, bulletinId } = await sentToTwo();
    // As a row queued before 0018 has it: its own stored id, sent under that id.
    const stored = '3EB0ABCDEF0123456789ABCDEF0123456789ABCD';
    await ctx.db.update(deliveries).set({ messageId: stored }).where(eq(deliveries.subscriberId, 1));
    expect((await retry(socket, seededJid(1), stored))?.extendedTextMessage?.text).toBe(
      'Scuole chiuse per neve',
    );
    socket.statuses([{ id: stored, jid: seededJid(1), status: proto.WebMessageInfo.Status.READ }]);
    await vi.waitFor(async () =>
      expect(await bulletinProgress(ctx.db, bulletinId)).toMatchObject({ read: 1 }),
    );
  });

  it('matches no delivery for a made-up id of our shape', async () => {
    const { socket, idOf } = await sentToTwo();
    const real = idOf.get(seededJid(1))!;
    const madeUp = `${real.slice(0, -1)}${real.endsWith('0') ? '1' : '0'}`;
    expect(await retry(socket, seededJid(1), madeUp)).toBeUndefined();
    expect(await retry(socket, seededJid(1), real)).toBeDefined();
  });

  it('counts a receipt only when it comes from the recipient of that message', async () => {
    const { socket, bulletinId, idOf } = await sentToTwo();
    const first = idOf.get(seededJid(1))!;
    const { READ } = proto.WebMessageInfo.Status;
    // Someone else claims to have read the first subscriber's message: nothing moves.
    socket.statuses([
      { id: first, jid: seededJid(2), status: READ },
      { id: first, jid: '999@lid', status: READ },
    ]);
    // The recipient's own receipt, under the LID Baileys maps to them, does count.
    socket.lidToPn.set('111@lid', seededJid(1));
    socket.statuses([{ id: idOf.get(seededJid(2))!, jid: seededJid(2), status: READ }]);
    await vi.waitFor(async () =>
      expect(await bulletinProgress(ctx.db, bulletinId)).toMatchObject({ read: 1, delivered: 1 }),
    );
    socket.statuses([{ id: first, jid: '111@lid', status: READ }]);
    await vi.waitFor(async () =>
      expect(await bulletinProgress(ctx.db, bulletinId)).toMatchObject({ read: 2, delivered: 2 }),
    );
  });

  it('derives message ids from a secret made at first start: another installation gets other ids', async () => {
    const other = await anotherInstallation(ctx.database);
    try {
      const [mine, theirs] = [await messageIdSecret(ctx.db), await messageIdSecret(other.db)];
      expect(mine).toHaveLength(32);
      expect(mine.equals(theirs)).toBe(false);
      // The same bulletin to the same subscriber on both installations.
      await seedSubscribers(ctx.db, 1);
      await seedSubscribers(other.db, 1);
      await approvedBulletin(ctx.db, 'Avviso');
      await approvedBulletin(other.db, 'Avviso');
      const [a] = (await claimDeliveries(ctx.db, { limit: 1, leaseSeconds: 30 })).deliveries;
      const [b] = (await claimDeliveries(other.db, { limit: 1, leaseSeconds: 30 })).deliveries;
      expect(a?.messageId).toMatch(/^3EB0[0-9A-F]{36}$/);
      expect(a?.messageId).not.toBe(b?.messageId);
    } finally {
      await other.close();
    }
    // A second embedded database takes a while to open on a busy machine.
  }, 90_000);
});

/**
 * A second installation on the same engine, made by the program's own first start: a new embedded
 * database (initdb), or an empty database on the test server.
 */
async function anotherInstallation(mine: TestDatabase): Promise<{ db: Db; close(): Promise<void> }> {
  if (mine.engine === 'pglite') return openDatabase({});
  const empty = await emptyPostgres(process.env.TEST_DATABASE_URL!);
  const database = await openDatabase({ url: empty.url });
  return {
    db: database.db,
    close: async () => {
      await database.close();
      await empty.drop();
    },
  };
}

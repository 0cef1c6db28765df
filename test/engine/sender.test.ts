import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterEach, expect, it, vi } from 'vitest';
import { pauseBulletin, requestRevoke, resumeBulletin, stopBulletin } from '../../src/core/control.js';
import { deliveryMessageId, messageIdSecret } from '../../src/core/message-id.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { claimDeliveries } from '../../src/core/outbox.js';
import { bulletinProgress } from '../../src/core/progress.js';
import { queueReply } from '../../src/core/replies.js';
import { pauseQueue, resumeQueue } from '../../src/core/send-control.js';
import { bulletins, deliveries, media, receipts, subscribers } from '../../src/db/schema.js';
import { type Bridge, startBridge } from '../../src/whatsapp/bridge.js';
import { startBridgeWithEngine } from '../helpers/bridge.js';
import { describeWithDatabase, loggedDb } from '../helpers/db.js';
import { untilOneWaitsOnALock } from '../helpers/lock-wait.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';
import { bridgeConfig, type StandInSocket, standInFactory } from '../helpers/wa-socket.js';

const approvers = { actorId: 2, adminIds: [1, 2] };
// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describeWithDatabase('the sender', (ctx) => {
  let bridge: Bridge | undefined;

  async function start(options: { pollMs?: number; leaseSeconds?: number } = {}): Promise<StandInSocket> {
    const factory = standInFactory();
    bridge = await startBridgeWithEngine({
      config: bridgeConfig(),
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      makeSocket: factory.makeSocket,
      sender: { pollMs: options.pollMs ?? 60_000, leaseSeconds: options.leaseSeconds ?? 30 },
    });
    const socket = factory.latest();
    socket.open();
    return socket;
  }

  /** A bridge whose queries go through `onQuery` (test/helpers/db.ts's loggedDb); its socket not yet open. */
  async function startLogged(onQuery: (query: string, params: unknown[]) => void): Promise<StandInSocket> {
    const factory = standInFactory();
    bridge = await startBridge({
      config: bridgeConfig(),
      database: { ...ctx.database, db: loggedDb(ctx.database, onQuery) },
      logger: pino({ level: 'silent' }),
      makeSocket: factory.makeSocket,
      sender: { pollMs: 60_000 },
    });
    return factory.latest();
  }

  const bulletinSends = (socket: StandInSocket) => socket.sent.filter((m) => m.message);
  const states = async (bulletinId: number) =>
    (await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, bulletinId))).map((d) => d.state);

  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  it('wakes on the approval (no poll) and sends each delivery under its derived id', async () => {
    await seedSubscribers(ctx.db, 20);
    const socket = await start({ pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bulletin = await approvedBulletin(ctx.db, 'Acqua sospesa in via Roma');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(20), { timeout: 5_000 });
    const sentRows = await ctx.db.select().from(deliveries);
    const secret = await messageIdSecret(ctx.db);
    const idsOfRows = sentRows.map((r) => deliveryMessageId(secret, bulletin.id, r.subscriberId)).sort();
    expect(
      bulletinSends(socket)
        .map((send) => send.messageId)
        .sort(),
    ).toEqual(idsOfRows);
    for (const send of bulletinSends(socket)) {
      expect(send.message?.extendedTextMessage?.text).toBe('Acqua sospesa in via Roma');
    }
    await vi.waitFor(async () =>
      expect((await unpostedNotices(ctx.db)).map((n) => n.notice)).toEqual([
        { kind: 'bulletin_sent', bulletinId: bulletin.id, sent: 20, failed: 0 },
      ]),
    );
  });

  it("goes from an approval's commit to its first send by one small claim, looking for no replies or withdrawals", async () => {
    await seedSubscribers(ctx.db, 5);
    const queries: string[] = [];
    const claimLimits: unknown[] = [];
    const socket = await startLogged((query, params) => {
      queries.push(query);
      if (query.includes('banditore_claim_deliveries')) claimLimits.push(params[0]);
    });
    socket.open();
    // The first round after the link looks at everything once, then finds nothing to claim.
    await vi.waitFor(() => expect(queries.some((q) => q.includes('banditore_claim_deliveries'))).toBe(true));
    await vi.waitFor(() => expect(queries.some((q) => q.includes('least('))).toBe(true));
    queries.length = 0;
    claimLimits.length = 0;
    await approvedBulletin(ctx.db, 'Acqua sospesa in via Roma');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(5), { timeout: 5_000 });
    // The first claim after a quiet spell is small, so its first message goes out sooner.
    expect(Number(claimLimits[0])).toBe(10);
    expect(queries.filter((q) => q.includes('"replies"') || q.includes('revoke_requested_at'))).toEqual([]);
  });

  it('reads the text of the bulletin now sending while its first claim runs, not after it', async (test) => {
    // PGlite runs one statement at a time: there, the read can only follow the claim.
    if (!ctx.database.url) return test.skip();
    await seedSubscribers(ctx.db, 5);
    const queries: string[] = [];
    const socket = await startLogged((query) => queries.push(query));
    await approvedBulletin(ctx.db, 'Acqua sospesa in via Roma');
    // Another transaction keeps every claim waiting (it may read deliveries, not write them).
    const other = postgres(ctx.database.url, { max: 1, onnotice: () => {} });
    const holder = await other.reserve();
    await holder`BEGIN`;
    await holder`LOCK TABLE deliveries IN EXCLUSIVE MODE`;
    try {
      socket.open();
      await untilOneWaitsOnALock(ctx.database);
      const contentReads = queries.filter((q) => q.includes('"body"') && q.includes('from "bulletins"'));
      expect(contentReads).toHaveLength(1);
      expect(bulletinSends(socket)).toHaveLength(0);
    } finally {
      await holder`COMMIT`;
      holder.release();
      await other.end();
    }
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(5), { timeout: 5_000 });
    for (const send of bulletinSends(socket))
      expect(send.message?.extendedTextMessage?.text).toBe('Acqua sospesa in via Roma');
    // The first message was not read a second time.
    expect(queries.filter((q) => q.includes('"body"') && q.includes('from "bulletins"'))).toHaveLength(1);
  });

  it('claims and sends the next batch while the last one is being marked', async (test) => {
    // PGlite runs one statement at a time: there, nothing can overlap.
    if (!ctx.database.url) return test.skip();
    await seedSubscribers(ctx.db, 10);
    const other = postgres(ctx.database.url, { max: 1, onnotice: () => {} });
    const holder = await other.reserve();
    const factory = standInFactory();
    let locked = false;
    bridge = await startBridge({
      config: bridgeConfig(),
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      makeSocket: (options) => {
        const socket = factory.makeSocket(options);
        const relay = socket.relayMessage;
        socket.relayMessage = async (...args) => {
          if (!locked) {
            // Another transaction holds the first batch's rows, so its mark has to wait.
            locked = true;
            await holder`BEGIN`;
            await holder`SELECT id FROM deliveries WHERE lease_token IS NOT NULL FOR UPDATE`;
          }
          return relay(...args);
        };
        return socket;
      },
      sender: { pollMs: 60_000, batchSize: 5 },
    });
    const socket = factory.latest();
    socket.open();
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    try {
      await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(10), { timeout: 5_000 });
      expect((await states(bulletin.id)).filter((state) => state === 'sent')).toHaveLength(0);
    } finally {
      await holder`COMMIT`;
      holder.release();
      await other.end();
    }
    await vi.waitFor(async () => expect(await states(bulletin.id)).toEqual(Array(10).fill('sent')));
  });

  it('uploads a photo once for 50 recipients and sends each the prepared message with its caption', async () => {
    await seedSubscribers(ctx.db, 50);
    const [photo] = await ctx.db
      .insert(media)
      .values({ kind: 'image', mimeType: 'image/png', size: PNG.length, sha256: 'x', data: PNG })
      .returning();
    const socket = await start();
    await approvedBulletin(ctx.db, 'Foto della nuova piazza', { mediaId: photo!.id });
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(50), { timeout: 10_000 });
    expect(socket.uploads).toEqual([{ mediaType: 'image' }]);
    const images = bulletinSends(socket).map((m) => m.message?.imageMessage);
    expect(images.every((image) => image?.caption === 'Foto della nuova piazza')).toBe(true);
    expect(new Set(images.map((image) => image?.url))).toEqual(
      new Set(['https://mmg.whatsapp.net/stand-in/1']),
    );
  });

  it('checks a number before its first send; one not on WhatsApp fails with that reason and is never tried again', async () => {
    await seedSubscribers(ctx.db, 2, { unchecked: true });
    const socket = await start();
    socket.notOnWhatsApp.add(seededJid(2));
    const first = await approvedBulletin(ctx.db, 'Primo');
    await vi.waitFor(async () => expect((await states(first.id)).sort()).toEqual(['failed', 'sent']));
    const [failed] = await ctx.db.select().from(deliveries).where(eq(deliveries.state, 'failed'));
    expect(failed).toMatchObject({ failure: 'not_on_whatsapp', subscriberId: 2 });
    expect(bulletinSends(socket).map((m) => m.jid)).toEqual([seededJid(1)]);
    expect(await bulletinProgress(ctx.db, first.id)).toMatchObject({ sent: 1, notOnWhatsapp: 1, failed: 0 });

    const second = await approvedBulletin(ctx.db, 'Secondo');
    expect(second.queued).toBe(1);
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(2));
    // The first number was checked once, not once per bulletin.
    expect(socket.onWhatsAppChecks).toEqual([seededJid(1), seededJid(2)]);
  });

  it('wakes on a reply another process queued (no poll) and sends it', async () => {
    const socket = await start({ pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // As a second bridge taking over, or the Cloud webhook's process, would queue it: not through
    // this bridge, which is told nothing in process.
    const limits = { perSenderPerHour: 5, cooldownHours: 24, maxDelayMinutes: 60 };
    const verdict = await queueReply(
      ctx.db,
      { sender: seededJid(1), jid: seededJid(1), text: 'Grazie' },
      limits,
    );
    expect(verdict).toBe('queued');
    await vi.waitFor(
      () => expect(socket.sent.filter((m) => !m.message).map((m) => m.jid)).toEqual([seededJid(1)]),
      {
        timeout: 5_000,
      },
    );
  });

  it('retries a transient failure later under the same id', async () => {
    await seedSubscribers(ctx.db, 1);
    const socket = await start();
    socket.failSends(1);
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(async () => {
      const [row] = await ctx.db.select().from(deliveries);
      expect(row).toMatchObject({ state: 'pending', attempts: 1, lastError: 'stand-in send failure' });
    });
    expect(bulletinSends(socket)).toHaveLength(0);
    await ctx.db.execute(sql`UPDATE deliveries SET available_at = now()`);
    await ctx.db.execute(sql`NOTIFY banditore_deliveries`);
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(1));
    expect(bulletinSends(socket)[0]?.messageId).toBe(
      deliveryMessageId(await messageIdSecret(ctx.db), bulletin.id, 1),
    );
  });

  it('sends nothing while the queue is paused and everything once it is resumed', async () => {
    await seedSubscribers(ctx.db, 5);
    const socket = await start();
    await pauseQueue(ctx.db, { reason: 'prova', signal: 'staff' });
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bulletinSends(socket)).toHaveLength(0);
    expect(await resumeQueue(ctx.db)).toBe(true);
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(5));
    // The mark follows the sends.
    await vi.waitFor(async () => expect(await states(bulletin.id)).toEqual(Array(5).fill('sent')));
  });

  it('resumes by itself when a time lock ends', async () => {
    await seedSubscribers(ctx.db, 2);
    const socket = await start();
    // When each bulletin send happened: none before the lock ends, however busy the machine.
    const sentAt: number[] = [];
    const relay = socket.socket.relayMessage;
    socket.socket.relayMessage = async (...args) => {
      sentAt.push(Date.now());
      return relay(...args);
    };
    const until = new Date(Date.now() + 1_000);
    await pauseQueue(ctx.db, { reason: 'blocco', signal: 'reachout_timelock', until });
    await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(2), { timeout: 10_000 });
    expect(sentAt).toHaveLength(2);
    expect(Math.min(...sentAt)).toBeGreaterThanOrEqual(until.getTime());
  });

  it('pauses, resumes and stops one bulletin for the staff buttons', async () => {
    await seedSubscribers(ctx.db, 4);
    await pauseQueue(ctx.db, { reason: 'preparazione', signal: 'staff' });
    const socket = await start();
    const kept = await approvedBulletin(ctx.db, 'Da tenere');
    const stopped = await approvedBulletin(ctx.db, 'Da fermare');
    await pauseBulletin(ctx.db, { bulletinId: kept.id, ...approvers });
    const { cancelled } = await stopBulletin(ctx.db, { bulletinId: stopped.id, ...approvers });
    expect(cancelled).toBe(4);
    await resumeQueue(ctx.db);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bulletinSends(socket)).toHaveLength(0);
    await resumeBulletin(ctx.db, { bulletinId: kept.id, ...approvers });
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(4));
    expect(
      new Set(bulletinSends(socket).map((m) => m.content && 'text' in m.content && m.content.text)),
    ).toEqual(new Set(['Da tenere']));
    const [row] = await ctx.db.select().from(bulletins).where(eq(bulletins.id, stopped.id));
    expect(row?.state).toBe('stopped');
  });

  it('counts receipts by message id, once per recipient and level, and keeps the counts after pruning', async () => {
    await seedSubscribers(ctx.db, 3);
    const socket = await start();
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(3));
    const [a, b, c] = bulletinSends(socket);
    // Two of them answer under their LID, which Baileys maps back to the phone jid we sent to.
    socket.lidToPn.set('111@lid', a!.jid);
    socket.lidToPn.set('222@lid', b!.jid);
    socket.statuses([
      { id: a!.messageId!, jid: '111@lid', status: 2 },
      { id: b!.messageId!, jid: '222@lid', status: 3 },
      { id: c!.messageId!, jid: c!.jid, status: 4 },
      { id: 'NOT-OURS', jid: c!.jid, status: 4 },
    ]);
    socket.statuses([
      { id: a!.messageId!, jid: '111@lid', status: 2 },
      { id: b!.messageId!, jid: '222@lid', status: 4 },
      { id: c!.messageId!, jid: c!.jid, status: 3 },
    ]);
    await vi.waitFor(async () =>
      expect(await bulletinProgress(ctx.db, bulletin.id)).toMatchObject({
        serverAcks: 3,
        delivered: 2,
        read: 2,
      }),
    );
    await ctx.db.execute(sql`UPDATE receipts SET updated_at = now() - interval '73 hours'`);
    const { pruneReceipts } = await import('../../src/core/receipts.js');
    expect(await pruneReceipts(ctx.db, 72)).toBe(3);
    expect(await ctx.db.select().from(receipts)).toHaveLength(0);
    expect(await bulletinProgress(ctx.db, bulletin.id)).toMatchObject({
      serverAcks: 3,
      delivered: 2,
      read: 2,
    });
  });

  it('"Ritira" deletes every sent message for everyone and reports how many', async () => {
    await seedSubscribers(ctx.db, 3);
    const socket = await start();
    const bulletin = await approvedBulletin(ctx.db, 'Orario sbagliato');
    await vi.waitFor(async () => expect((await unpostedNotices(ctx.db)).length).toBe(1));
    // One message went out more than two days ago: WhatsApp no longer lets us delete it.
    await ctx.db.execute(
      sql`UPDATE deliveries SET sent_at = now() - interval '3 days' WHERE subscriber_id = 3`,
    );
    await requestRevoke(ctx.db, { bulletinId: bulletin.id, ...approvers });
    await vi.waitFor(async () =>
      expect((await unpostedNotices(ctx.db)).map((n) => n.notice).at(-1)).toEqual({
        kind: 'bulletin_revoked',
        bulletinId: bulletin.id,
        revoked: 2,
      }),
    );
    const deletes = socket.sent.filter((m) => 'delete' in m.content);
    expect(deletes.map((m) => m.jid).sort()).toEqual([seededJid(1), seededJid(2)]);
    for (const m of deletes) {
      const key = (m.content as { delete: { id: string; fromMe: boolean } }).delete;
      expect(key.fromMe).toBe(true);
      expect(bulletinSends(socket).some((s) => s.messageId === key.id && s.jid === m.jid)).toBe(true);
    }
  });

  it("after a crash, claims the dead sender's leased rows within lease + 5 s and resends under the same id", async () => {
    await seedSubscribers(ctx.db, 3);
    await pauseQueue(ctx.db, { reason: 'prima', signal: 'staff' });
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await resumeQueue(ctx.db);
    // A sender that claimed everything with a 1 s lease and died before marking anything.
    const dead = await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 1 });
    expect(dead.deliveries).toHaveLength(3);
    const startedAt = Date.now();
    const socket = await start({ pollMs: 60_000 });
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(3), { timeout: 8_000 });
    expect(Date.now() - startedAt).toBeLessThan(6_000);
    const secret = await messageIdSecret(ctx.db);
    expect(
      bulletinSends(socket)
        .map((m) => m.messageId)
        .sort(),
    ).toEqual(dead.deliveries.map((d) => deliveryMessageId(secret, bulletin.id, d.subscriberId)).sort());
    // The socket sees a send just before the sender marks its row: wait for the marks.
    await vi.waitFor(async () => {
      const rows = await ctx.db.select().from(deliveries);
      expect(rows.map((r) => [r.state, r.attempts])).toEqual(rows.map(() => ['sent', 2]));
      expect(rows).toHaveLength(3);
    });
  });

  it('never sends to an erased subscriber', async () => {
    await seedSubscribers(ctx.db, 2);
    await ctx.db
      .update(subscribers)
      .set({ phoneJid: null, erasedAt: new Date() })
      .where(eq(subscribers.id, 2));
    const socket = await start();
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(1));
    expect(bulletin.queued).toBe(1);
  });
});

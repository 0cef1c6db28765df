import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { queueDeliveries } from '../../src/core/deliveries.js';
import { claimDeliveries, markFailed, markSent } from '../../src/core/outbox.js';
import { optOut } from '../../src/core/subscriptions.js';
import { type Queryable, rowsOf } from '../../src/db/client.js';
import { deliveries, subscribers } from '../../src/db/schema.js';
import { describeWithDatabase } from '../helpers/db.js';
import { untilOneWaitsOnALock } from '../helpers/lock-wait.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';

describeWithDatabase('the outbox', (ctx) => {
  it('fans out a snapshot of the active subscribers in one statement; a second fan-out adds nothing', async () => {
    await seedSubscribers(ctx.db, 300);
    await ctx.db.update(subscribers).set({ notOnWhatsappAt: new Date() }).where(eq(subscribers.id, 300));
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    expect(bulletin.queued).toBe(299);
    expect(await queueDeliveries(ctx.db, bulletin.id)).toBe(0);
    // Someone joining later is not part of this bulletin: it fanned out once, as a snapshot.
    await seedSubscribers(ctx.db, 1, { from: 1000 });
    expect(await queueDeliveries(ctx.db, bulletin.id)).toBe(0);
    expect(await ctx.db.$count(deliveries)).toBe(299);
  });

  it("queues a subscriber of two of the bulletin's lists once", async () => {
    await seedSubscribers(ctx.db, 3);
    await ctx.db.execute(sql`INSERT INTO lists (slug, name) VALUES ('scuole', 'Scuole')`);
    await ctx.db.execute(sql`
      INSERT INTO subscriptions (subscriber_id, list_id) SELECT 2, id FROM lists WHERE slug = 'scuole'`);
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1, 2] });
    await ctx.db.execute(sql`
      INSERT INTO bulletin_lists (bulletin_id, list_id) SELECT ${draft.id}, id FROM lists WHERE slug = 'scuole'`);
    const queued = await queueDeliveries(ctx.db, draft.id);
    expect(queued).toBe(3);
    expect(await ctx.db.$count(deliveries)).toBe(3);
  });

  it('fans a bulletin out once when two fan-outs of it run at once', async () => {
    await seedSubscribers(ctx.db, 50);
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1, 2] });
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let queuedInTx!: () => void;
    const queuedFirst = new Promise<void>((resolve) => {
      queuedInTx = resolve;
    });
    const first = ctx.db.transaction(async (tx) => {
      const queued = await queueDeliveries(tx, draft.id);
      queuedInTx();
      await committing;
      return queued;
    });
    await queuedFirst;
    const second = ctx.db.transaction((tx) => queueDeliveries(tx, draft.id));
    // The second waits on the first (PGlite runs one transaction at a time anyway).
    await untilOneWaitsOnALock(ctx.database);
    commit();
    expect([await first, await second]).toEqual([50, 0]);
    expect(await ctx.db.$count(deliveries)).toBe(50);
  });

  it('cancels the pending delivery of a subscriber who leaves after the fan-out', async () => {
    await seedSubscribers(ctx.db, 2);
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await optOut(ctx.db, { address: { phoneJid: seededJid(1) } });
    const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, bulletin.id));
    expect(rows.map((r) => r.state).sort()).toEqual(['cancelled', 'pending']);
  });

  it('claims urgent bulletins first, in batches, and never the same row twice at once', async () => {
    await seedSubscribers(ctx.db, 40);
    const normal = await approvedBulletin(ctx.db, 'Mercato spostato');
    const urgent = await approvedBulletin(ctx.db, 'Allerta meteo', { urgent: true });
    const first = await claimDeliveries(ctx.db, { limit: 30, leaseSeconds: 30 });
    expect(new Set(first.deliveries.map((d) => d.bulletinId))).toEqual(new Set([urgent.id]));
    const [a, b] = await Promise.all([
      claimDeliveries(ctx.db, { limit: 30, leaseSeconds: 30 }),
      claimDeliveries(ctx.db, { limit: 30, leaseSeconds: 30 }),
    ]);
    // Two senders at once never hold the same row (one may hold back rows the other skips).
    const concurrent = [...a.deliveries, ...b.deliveries];
    expect(new Set(concurrent.map((d) => d.id)).size).toBe(concurrent.length);
    expect(a.leaseToken).not.toBe(b.leaseToken);
    const rest = await claimDeliveries(ctx.db, { limit: 100, leaseSeconds: 30 });
    const all = [...first.deliveries, ...concurrent, ...rest.deliveries];
    expect(all).toHaveLength(80);
    expect(new Set(all.map((d) => d.id)).size).toBe(80);
    expect(all.filter((d) => d.bulletinId === normal.id)).toHaveLength(40);
    expect((await claimDeliveries(ctx.db, { limit: 100, leaseSeconds: 30 })).deliveries).toHaveLength(0);
  });

  it('claims and marks a batch reading about as many index entries as the batch, not the backlog', async () => {
    await seedSubscribers(ctx.db, 4000);
    await approvedBulletin(ctx.db, 'Avviso');
    // Index entries read in one transaction, summed over the table's indexes (Postgres' own count).
    const indexReads = (tx: Queryable) =>
      tx.execute(sql`
        SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(indexrelid)), 0)::int AS n
        FROM pg_index WHERE indrelid = 'deliveries'::regclass`);
    const measured = await ctx.db.transaction(async (tx) => {
      // Counted from here: PGlite may still hold counts of earlier transactions it has not flushed
      // (a database an earlier block of the worker used held ~40,000).
      const before = rowsOf<{ n: number }>(await indexReads(tx))[0]!.n;
      const claim = await claimDeliveries(tx, { limit: 100, leaseSeconds: 30 });
      const claimed = rowsOf<{ n: number }>(await indexReads(tx))[0]!.n - before;
      const ids = claim.deliveries.map((d) => d.id);
      expect(await markSent(tx, { leaseToken: claim.leaseToken, ids })).toBe(100);
      return { claimed, marked: rowsOf<{ n: number }>(await indexReads(tx))[0]!.n - before - claimed };
    });
    // Right after a fan-out the statistics say nothing is pending: a bitmap scan would read all 4,000.
    expect(measured.claimed).toBeGreaterThan(0);
    expect(measured.claimed).toBeLessThan(1000);
    expect(measured.marked).toBeLessThan(1000);
  });

  it('fences a sender whose lease expired: the new holder marks, the old one cannot', async () => {
    await seedSubscribers(ctx.db, 1);
    await approvedBulletin(ctx.db, 'Avviso');
    const old = await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 });
    expect(old.deliveries).toHaveLength(1);
    // Nothing to claim while the lease runs (on the database's clock).
    expect((await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 })).deliveries).toHaveLength(0);
    await ctx.db.execute(sql`UPDATE deliveries SET lease_until = now() - interval '1 second'`);
    const taken = await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 });
    expect(taken.deliveries[0]?.messageId).toBe(old.deliveries[0]?.messageId);
    expect(taken.deliveries[0]?.attempts).toBe(2);
    const ids = old.deliveries.map((d) => d.id);
    expect(await markSent(ctx.db, { leaseToken: old.leaseToken, ids })).toBe(0);
    expect(
      await markFailed(ctx.db, {
        ...old.deliveries[0]!,
        leaseToken: old.leaseToken,
        reason: 'x',
        maxAttempts: 5,
      }),
    ).toBe('lost_lease');
    expect(await markSent(ctx.db, { leaseToken: taken.leaseToken, ids })).toBe(1);
  });

  it('retries with exponential backoff, then fails with a reason after the last attempt', async () => {
    await seedSubscribers(ctx.db, 1);
    await approvedBulletin(ctx.db, 'Avviso');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claim = await claimDeliveries(ctx.db, { limit: 1, leaseSeconds: 30 });
      const delivery = claim.deliveries[0]!;
      expect(delivery.attempts).toBe(attempt);
      const outcome = await markFailed(ctx.db, {
        ...delivery,
        leaseToken: claim.leaseToken,
        reason: 'timeout',
        maxAttempts: 3,
      });
      const [row] = await ctx.db.select().from(deliveries);
      if (attempt < 3) {
        expect(outcome).toBe('retry');
        const [due] = rowsOf<{ wait: number }>(
          await ctx.db.execute(
            sql`SELECT extract(epoch FROM available_at - now())::int AS wait FROM deliveries`,
          ),
        );
        expect(due?.wait).toBeGreaterThanOrEqual(30 * 2 ** (attempt - 1) - 2);
        // Not claimable before its time.
        expect((await claimDeliveries(ctx.db, { limit: 1, leaseSeconds: 30 })).deliveries).toHaveLength(0);
        await ctx.db.execute(sql`UPDATE deliveries SET available_at = now()`);
      } else {
        expect(outcome).toBe('failed');
        expect(row).toMatchObject({ state: 'failed', failure: 'attempts_exhausted', lastError: 'timeout' });
      }
    }
  });

  it('skips deliveries of a paused bulletin', async () => {
    await seedSubscribers(ctx.db, 3);
    const bulletin = await approvedBulletin(ctx.db, 'Avviso');
    await ctx.db.execute(sql`UPDATE bulletins SET paused_at = now() WHERE id = ${bulletin.id}`);
    expect((await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 })).deliveries).toHaveLength(0);
    await ctx.db.execute(sql`UPDATE bulletins SET paused_at = NULL WHERE id = ${bulletin.id}`);
    expect((await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 })).deliveries).toHaveLength(3);
  });
});

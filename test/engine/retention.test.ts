import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { bridgeStatus } from '../../src/core/bridge-state.js';
import { recentBulletins } from '../../src/core/history.js';
import { markInboundHandled } from '../../src/core/inbound.js';
import { storeMedia } from '../../src/core/media.js';
import { postStaffNotice } from '../../src/core/notices.js';
import { bulletinProgress } from '../../src/core/progress.js';
import { applyRetention, FIXED_RETENTION, type RetentionPolicy } from '../../src/core/retention.js';
import { listStatistics } from '../../src/core/statistics.js';
import type { WatchedBulletin } from '../../src/core/status.js';
import { type Db, rowsOf } from '../../src/db/client.js';
import { reclaimSpace } from '../../src/db/maintenance.js';
import { bulletins } from '../../src/db/schema.js';
import { startRetentionJob } from '../../src/retention-job.js';
import { renderStatus } from '../../src/telegram/status-message.js';
import { bulletinHistory } from '../../src/telegram/texts.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';

const policy: RetentionPolicy = { deliveryDays: 90, receiptHours: 72, ...FIXED_RETENTION };
const pacing = { ratePerMinute: 2, maxPerHour: 80, maxPerDay: 1000, warmupDays: 0 };
const now = new Date();

async function count(db: Db, table: string, where = 'true'): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(
    await db.execute(sql.raw(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)),
  );
  return Number(row?.n);
}

/**
 * A bulletin sent to six subscribers that finished `daysAgo` days ago: three sent (one of them
 * withdrawn for everyone, two with receipts), one failed, one not on WhatsApp, one cancelled.
 */
async function finishedBulletin(db: Db, text: string, daysAgo: number): Promise<number> {
  const { id } = await approvedBulletin(db, text);
  const ago = sql`now() - make_interval(days => ${daysAgo})`;
  await db.execute(sql`
    WITH ranked AS (
      SELECT id, row_number() OVER (ORDER BY id) AS n FROM deliveries WHERE bulletin_id = ${id}
    )
    UPDATE deliveries d SET
      state = (CASE WHEN r.n <= 3 THEN 'sent' WHEN r.n <= 5 THEN 'failed' ELSE 'cancelled' END)::delivery_state,
      failure = CASE r.n WHEN 4 THEN 'attempts_exhausted' WHEN 5 THEN 'not_on_whatsapp' END,
      sent_at = CASE WHEN r.n <= 3 THEN ${ago} - make_interval(mins => 10 - r.n::int) END,
      revoked_at = CASE WHEN r.n = 1 THEN ${ago} END
    FROM ranked r WHERE d.id = r.id`);
  await db.execute(sql`
    UPDATE bulletins SET state = 'sent', started_at = ${ago} - interval '1 hour', finished_at = ${ago},
      server_acks = 3, delivered = 2, read = 1, revoke_requested_at = ${ago}, revoke_done_at = ${ago},
      revoked_count = 1
    WHERE id = ${id}`);
  return id;
}

/** What staff see of a bulletin: its status message as the bot renders it, and its counts. */
async function whatStaffSee(db: Db, bulletinId: number) {
  const [b] = await db.select().from(bulletins).where(eq(bulletins.id, bulletinId));
  // The row watchedBulletins() would give, were the bulletin recent enough to be watched.
  const row: WatchedBulletin = { ...b!, withinRevokeWindow: false };
  return {
    progress: await bulletinProgress(db, bulletinId),
    status: (await renderStatus(db, pacing, row, now)).text,
  };
}

describeWithDatabase('retention', (ctx) => {
  it('compacts the delivery rows of bulletins finished before DELIVERY_RETENTION_DAYS into counts staff see unchanged', async () => {
    await seedSubscribers(ctx.db, 6);
    const old = await finishedBulletin(ctx.db, 'Mercato spostato in piazza', 91);
    const recent = await finishedBulletin(ctx.db, 'Chiusura scuole', 89);
    const sending = await approvedBulletin(ctx.db, 'Allerta meteo');
    await ctx.db.execute(
      sql`UPDATE bulletins SET started_at = now() - interval '200 days' WHERE id = ${sending.id}`,
    );
    const before = {
      old: await whatStaffSee(ctx.db, old),
      recent: await whatStaffSee(ctx.db, recent),
      storico: bulletinHistory(await recentBulletins(ctx.db), now),
      statistics: await listStatistics(ctx.db, now),
      lastSentAt: (await bridgeStatus(ctx.db)).lastSentAt,
    };
    expect(before.old.progress).toMatchObject({
      total: 6,
      sent: 3,
      failed: 1,
      notOnWhatsapp: 1,
      cancelled: 1,
      remaining: 0,
      revoked: 1,
      delivered: 2,
      read: 1,
    });

    const report = await applyRetention(ctx.db, policy);

    expect(report).toMatchObject({ compactedBulletins: 1, compactedDeliveries: 6 });
    expect(await count(ctx.db, 'deliveries', `bulletin_id = ${old}`)).toBe(0);
    expect(await count(ctx.db, 'deliveries', `bulletin_id = ${recent}`)).toBe(6);
    expect(await count(ctx.db, 'deliveries', `bulletin_id = ${sending.id}`)).toBe(6);
    expect(await whatStaffSee(ctx.db, old)).toEqual(before.old);
    expect(await whatStaffSee(ctx.db, recent)).toEqual(before.recent);
    expect(bulletinHistory(await recentBulletins(ctx.db), now)).toBe(before.storico);
    expect(await listStatistics(ctx.db, now)).toEqual(before.statistics);

    // A second run finds nothing more; once the recent one is old too, /stato's last send stays.
    expect(await applyRetention(ctx.db, policy)).toMatchObject({ compactedDeliveries: 0 });
    await ctx.db.execute(
      sql`UPDATE bulletins SET finished_at = now() - interval '100 days' WHERE id = ${recent}`,
    );
    await ctx.db.execute(sql`UPDATE deliveries SET state = 'cancelled' WHERE bulletin_id = ${sending.id}`);
    expect(await applyRetention(ctx.db, policy)).toMatchObject({ compactedDeliveries: 6 });
    expect((await bridgeStatus(ctx.db)).lastSentAt).toEqual(before.lastSentAt);
    expect((await bulletinProgress(ctx.db, recent)).sent).toBe(3);
  });

  it('counts every row once when two processes compact at the same time', async () => {
    await seedSubscribers(ctx.db, 6);
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await finishedBulletin(ctx.db, `Avviso ${i}`, 100));
    const reports = await Promise.all([applyRetention(ctx.db, policy), applyRetention(ctx.db, policy)]);
    expect(reports.reduce((sum, r) => sum + r.compactedDeliveries, 0)).toBe(180);
    expect(await count(ctx.db, 'deliveries')).toBe(0);
    for (const id of ids) {
      expect(await bulletinProgress(ctx.db, id)).toMatchObject({ total: 6, sent: 3, cancelled: 1 });
    }
  });

  it('drops the bytes of rejected or withdrawn drafts after 30 days, keeping their description', async () => {
    const file = (name: string) => ({
      kind: 'image' as const,
      mimeType: 'image/jpeg',
      fileName: name,
      data: Buffer.alloc(50_000, name),
      telegramFileId: name,
    });
    const draft = async (name: string, state: string, daysAgo: number) => {
      const { id: mediaId } = await storeMedia(ctx.db, file(name));
      const { id } = await approvedBulletin(ctx.db, name, { mediaId });
      await ctx.db.execute(sql`
        INSERT INTO bulletin_versions (bulletin_id, version, text, body, hash_scheme, media_id, hash, author_id)
        VALUES (${id}, 2, ${name}, jsonb_build_object('text', ${name}::text, 'entities', '[]'::jsonb), 'body',
                ${mediaId}, 'h', 1)`);
      await ctx.db.execute(sql`
        UPDATE bulletins SET state = ${state}::bulletin_state,
          decided_at = now() - make_interval(days => ${daysAgo}),
          finished_at = CASE WHEN ${state} = 'sent' THEN now() - make_interval(days => ${daysAgo}) END
        WHERE id = ${id}`);
      return mediaId;
    };
    const rejected = await draft('respinta', 'rejected', 31);
    const withdrawn = await draft('ritirata', 'withdrawn', 31);
    const recent = await draft('recente', 'rejected', 29);
    const sent = await draft('inviata', 'sent', 400);
    // The same file in a rejected draft and in a bulletin that went out: it stays.
    const shared = await draft('condivisa', 'rejected', 60);
    const { id: other } = await approvedBulletin(ctx.db, 'altro', { mediaId: shared });
    await ctx.db.execute(sql`UPDATE bulletins SET state = 'sent' WHERE id = ${other}`);

    expect((await applyRetention(ctx.db, policy)).droppedMedia).toBe(2);

    const rows = rowsOf<{ id: number; bytes: number; size: number; sha256: string; dropped: boolean }>(
      await ctx.db.execute(sql`
        SELECT id, length(data) AS bytes, size, sha256, dropped_at IS NOT NULL AS dropped FROM media ORDER BY id`),
    );
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const id of [rejected, withdrawn]) {
      expect(byId.get(id)).toMatchObject({ bytes: 0, size: 50_000, dropped: true });
      expect(byId.get(id)?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    for (const id of [recent, sent, shared])
      expect(byId.get(id)).toMatchObject({ bytes: 50_000, dropped: false });
    expect((await applyRetention(ctx.db, policy)).droppedMedia).toBe(0);
  });

  it('prunes receipts, staff notices and inbound ids past their time, and nothing younger', async () => {
    await seedSubscribers(ctx.db, 2);
    const { id } = await approvedBulletin(ctx.db, 'Avviso');
    await ctx.db.execute(sql`
      INSERT INTO receipts (delivery_id, status, updated_at)
      SELECT id, 3, CASE WHEN subscriber_id = 1 THEN now() - interval '73 hours' ELSE now() END
      FROM deliveries WHERE bulletin_id = ${id}`);
    for (const kind of ['old posted', 'old unposted', 'recent'] as const) {
      await postStaffNotice(ctx.db, { kind: 'wa_down', minutes: kind.length });
    }
    await ctx.db.execute(sql`
      UPDATE staff_notices SET created_at = now() - interval '31 days',
        posted_at = CASE WHEN id = 1 THEN now() - interval '31 days' END
      WHERE id IN (1, 2)`);
    for (const messageId of ['old', 'recent']) await markInboundHandled(ctx.db, messageId);
    await ctx.db.execute(sql`
      INSERT INTO inbound_messages (message_id, pending, received_at)
      VALUES ('unanswered-old', '{}', now() - interval '8 days'), ('unanswered-recent', '{}', now())`);
    await ctx.db.execute(sql`
      UPDATE inbound_messages SET handled_at = now() - interval '61 days' WHERE message_id = 'old'`);

    expect(await applyRetention(ctx.db, policy)).toMatchObject({
      prunedReceipts: 1,
      prunedNotices: 2,
      prunedInbound: 2,
    });
    expect(await count(ctx.db, 'receipts')).toBe(1);
    expect(await count(ctx.db, 'staff_notices', 'id = 3')).toBe(1);
    expect(
      rowsOf<{ message_id: string }>(
        await ctx.db.execute(sql`SELECT message_id FROM inbound_messages ORDER BY message_id`),
      ).map((r) => r.message_id),
    ).toEqual(['recent', 'unanswered-recent']);
  });

  it('makes its first pass ten minutes after start-up, out of the way of its catch-up', async () => {
    await seedSubscribers(ctx.db, 6);
    const id = await finishedBulletin(ctx.db, 'Vecchio avviso', 120);
    // Only setTimeout is faked, and its clock still moves with real time: postgres.js schedules
    // its connections with setTimeout too.
    vi.useFakeTimers({ toFake: ['setTimeout'], shouldAdvanceTime: true });
    const job = startRetentionJob({ database: ctx.database, logger: pino({ level: 'silent' }), policy });
    try {
      vi.advanceTimersByTime(10 * 60_000 - 5_000);
      // A pass begun too early would have deleted them by the end of this wait.
      await ctx.db.execute(sql`SELECT pg_sleep(0.2)`);
      expect(await count(ctx.db, 'deliveries', `bulletin_id = ${id}`)).toBe(6);
      vi.advanceTimersByTime(5_000);
      await vi.waitFor(async () => expect(await count(ctx.db, 'deliveries', `bulletin_id = ${id}`)).toBe(0));
    } finally {
      vi.useRealTimers();
      await job.stop();
    }
  });

  it('runs on its own timer, and the room of what it deleted is reused rather than the database growing', async () => {
    await seedSubscribers(ctx.db, 2000);
    const fill = async () => {
      const { id } = await approvedBulletin(ctx.db, 'Avviso a tutti');
      await ctx.db.execute(sql`
        UPDATE deliveries SET state = 'sent', sent_at = now() - interval '100 days', last_error = repeat('x', 500)
        WHERE bulletin_id = ${id}`);
      await ctx.db.execute(sql`
        UPDATE bulletins SET state = 'sent', finished_at = now() - interval '100 days' WHERE id = ${id}`);
    };
    await fill();
    await reclaimSpace(ctx.database);
    const size = async () => (await bridgeStatus(ctx.db)).databaseBytes;
    const first = await size();

    const job = startRetentionJob({
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      policy,
      firstRunMs: 0,
      intervalMs: 50,
    });
    try {
      await vi.waitFor(async () => expect(await count(ctx.db, 'deliveries')).toBe(0), { timeout: 10_000 });
      for (let round = 0; round < 3; round++) {
        await fill();
        await vi.waitFor(async () => expect(await count(ctx.db, 'deliveries')).toBe(0), {
          timeout: 10_000,
        });
      }
    } finally {
      await job.stop();
    }
    await reclaimSpace(ctx.database);
    // Four rounds of 2,000 rows written twice and deleted: without the VACUUM PGlite would hold
    // them all (it runs no autovacuum); with it, the same pages hold each round.
    expect(await size()).toBeLessThan(first + 1_500_000);
    expect(await count(ctx.db, 'delivery_counts')).toBe(4);
  }, 60_000);
});

import { eq, sql } from 'drizzle-orm';
import { afterEach, expect, it, vi } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { pauseBulletin, requestRevoke, resumeBulletin, stopBulletin } from '../../src/core/control.js';
import { approve } from '../../src/core/decisions.js';
import { type Engine, type EngineDeps, startEngine } from '../../src/core/engine.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { outletHealthList } from '../../src/core/outlet-health.js';
import type { OutletName } from '../../src/core/outlets.js';
import { bulletins, bulletinVersions, deliveries, publications } from '../../src/db/schema.js';
import { describeWithDatabase, loggedDb } from '../helpers/db.js';
import { createRecordingOutlet } from '../helpers/recording-outlet.js';
import { seedSubscribers } from '../helpers/seed.js';

const admins = [1, 2];
const link = { publicBaseUrl: 'https://notizie.comune.example.it', bulletinLink: true };

describeWithDatabase('core engine', (ctx) => {
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
  });

  const warnings: string[] = [];
  const logger = {
    info: () => {},
    warn: (_: object, msg: string) => void warnings.push(msg),
    error: (_: object, msg: string) => void warnings.push(msg),
  };

  async function run(outlets: EngineDeps['outlets'], more: Partial<EngineDeps> = {}) {
    const engine = await startEngine({
      db: ctx.db,
      listen: ctx.database.listen,
      outlets,
      logger,
      link,
      pollMs: 500,
      tickMs: 50,
      ...more,
    });
    engines.push(engine);
    return engine;
  }

  async function draft(outlets: OutletName[], text = 'Domani mercato in piazza.') {
    return createDraft(ctx.db, { authorId: 1, text, adminIds: admins, outlets });
  }

  async function approveIt(bulletinId: number) {
    return approve(ctx.db, { bulletinId, version: 1, userId: 2, name: 'Approvatore', adminIds: admins });
  }

  const publicationOf = async (bulletinId: number, outlet: OutletName) =>
    (await ctx.db.select().from(publications).where(eq(publications.bulletinId, bulletinId))).find(
      (row) => row.outlet === outlet,
    );
  const stateOf = async (bulletinId: number) =>
    (await ctx.db.select().from(bulletins).where(eq(bulletins.id, bulletinId)))[0]?.state;

  it('posts the approved version once on every outlet it targets, and is done only when all are', async () => {
    const telegram = createRecordingOutlet('telegram_channel');
    const archive = createRecordingOutlet('archive');
    const channel = createRecordingOutlet('whatsapp_channel');
    telegram.hold();
    const bulletin = await draft(['whatsapp', 'telegram_channel', 'archive']);
    await approveIt(bulletin.id);
    await run([telegram.outlet, archive.outlet, channel.outlet]);

    await vi.waitFor(() => expect(archive.published).toHaveLength(1));
    const [version] = await ctx.db
      .select()
      .from(bulletinVersions)
      .where(eq(bulletinVersions.bulletinId, bulletin.id));
    expect(archive.published[0]!.bulletin).toMatchObject({
      bulletinId: bulletin.id,
      version: 1,
      code: version!.hash.slice(0, 8),
      body: { text: 'Domani mercato in piazza.', entities: [] },
      link: `https://notizie.comune.example.it/bollettini/${bulletin.id}`,
      media: null,
    });
    // The Telegram channel has not answered yet: the bulletin is not done.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stateOf(bulletin.id)).toBe('sending');
    expect(channel.published).toHaveLength(0);

    telegram.release();
    // Recording the post and closing the bulletin are a few writes: a loaded machine needs over 1 s.
    await vi.waitFor(async () => expect(await stateOf(bulletin.id)).toBe('sent'), { timeout: 5_000 });
    expect(telegram.published).toHaveLength(1);
    expect((await publicationOf(bulletin.id, 'telegram_channel'))?.externalId).toBe('telegram_channel-1');
    expect((await unpostedNotices(ctx.db)).map((n) => n.notice.kind)).toContain('bulletin_sent');
    expect(archive.published).toHaveLength(1);
  });

  it('looks once per round while a bulletin sends, and closes it (a transaction) only when it is done', async () => {
    await seedSubscribers(ctx.db, 3);
    const queries: string[] = [];
    const db = loggedDb(ctx.database, (query) => queries.push(query));
    const bulletin = await draft(['whatsapp']);
    await approveIt(bulletin.id);
    await run([], { db });
    // Rounds every tick while it sends (no sender here): each is the one look, nothing else.
    await vi.waitFor(() => expect(queries.length).toBeGreaterThanOrEqual(4));
    expect(new Set(queries).size).toBe(1);
    expect(queries[0]).toContain('AS withdrawing');
    await ctx.db.update(deliveries).set({ state: 'sent' }).where(eq(deliveries.bulletinId, bulletin.id));
    await vi.waitFor(async () => expect(await stateOf(bulletin.id)).toBe('sent'));
  });

  it("acts on an approval's notification 10 ms later, leaving the moment to the sender's first claim", async () => {
    await seedSubscribers(ctx.db, 3);
    const looks: number[] = [];
    const db = loggedDb(ctx.database, (query) => {
      if (query.includes('AS withdrawing')) looks.push(performance.now());
    });
    await run([], { db, pollMs: 60_000 });
    await vi.waitFor(() => expect(looks).toHaveLength(1));
    const bulletin = await draft(['whatsapp']);
    await approveIt(bulletin.id);
    // The notification comes with the commit, at the earliest just before approve() returns.
    const committed = performance.now();
    await vi.waitFor(() => expect(looks).toHaveLength(2));
    expect(looks[1]! - committed).toBeGreaterThanOrEqual(5);
  });

  it('with nothing to send or withdraw, a round is its one look, also with outlets to post on', async () => {
    const archive = createRecordingOutlet('archive');
    const queries: string[] = [];
    const db = loggedDb(ctx.database, (query) => queries.push(query));
    await run([archive.outlet], { db, pollMs: 50, healthEveryMs: 60_000 });
    // The first round also records the outlet's health; the idle rounds after it only look.
    await vi.waitFor(() =>
      expect(queries.filter((q) => q.includes('AS withdrawing')).length).toBeGreaterThan(4),
    );
    const afterHealth = queries.slice(queries.findLastIndex((q) => q.includes('outlet_health')) + 1);
    expect(afterHealth.length).toBeGreaterThan(3);
    expect(new Set(afterHealth).size).toBe(1);
    expect(afterHealth[0]).toContain('AS withdrawing');
  });

  it('leaves a bulletin due at start to the end of the start-up, and stops while it waits', async () => {
    await seedSubscribers(ctx.db, 3);
    const bulletin = await draft(['whatsapp']);
    // Approved for a time that has come while the program was down.
    await ctx.db
      .update(bulletins)
      .set({ state: 'approved', approvedVersion: 1, decidedBy: 2, sendAt: sql`now() - interval '1 minute'` })
      .where(eq(bulletins.id, bulletin.id));
    let startedUp: () => void = () => {};
    const after = new Promise<void>((resolve) => {
      startedUp = resolve;
    });
    await run([], { after, tickMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stateOf(bulletin.id)).toBe('approved');
    startedUp();
    await vi.waitFor(async () => expect(await stateOf(bulletin.id)).toBe('sending'));

    const waiting = await run([], { after: new Promise(() => {}) });
    await waiting.stop();
  });

  it('starts a scheduled bulletin when it is due although WhatsApp is not linked', async () => {
    await seedSubscribers(ctx.db, 3);
    const archive = createRecordingOutlet('archive');
    const bulletin = await draft(['whatsapp', 'archive']);
    await ctx.db
      .update(bulletins)
      .set({
        state: 'approved',
        approvedVersion: 1,
        decidedBy: 2,
        sendAt: sql`now() + interval '300 milliseconds'`,
      })
      .where(eq(bulletins.id, bulletin.id));
    await run([archive.outlet]);

    await vi.waitFor(() => expect(archive.published).toHaveLength(1), { timeout: 5_000 });
    expect(await stateOf(bulletin.id)).toBe('sending');
    const queued = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, bulletin.id));
    expect(queued.map((row) => row.state)).toEqual(['pending', 'pending', 'pending']);
  });

  it('tries a retryable failure again after a backoff, and fails for good at the attempt limit', async () => {
    const telegram = createRecordingOutlet('telegram_channel');
    const archive = createRecordingOutlet('archive');
    const busy = {
      ok: false as const,
      failure: 'rate_limited' as const,
      retryable: true,
      detail: 'retry after 1',
    };
    telegram.failNext(busy, busy);
    archive.failNext(busy, busy, busy);
    const bulletin = await draft(['telegram_channel', 'archive']);
    await approveIt(bulletin.id);
    const started = Date.now();
    await run([telegram.outlet, archive.outlet], { retry: { baseMs: 200, maxAttempts: 3 } });

    await vi.waitFor(() => expect(telegram.published).toHaveLength(1), { timeout: 5_000 });
    // Two backoffs: 200 ms, then 400 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    // The platform has the post a moment before the engine records it.
    await vi.waitFor(async () =>
      expect(await publicationOf(bulletin.id, 'telegram_channel')).toMatchObject({
        state: 'posted',
        attempts: 3,
      }),
    );
    await vi.waitFor(async () =>
      expect(await publicationOf(bulletin.id, 'archive')).toMatchObject({
        state: 'failed',
        attempts: 3,
        failure: 'rate_limited',
        lastError: 'retry after 1',
      }),
    );
    await vi.waitFor(async () => expect(await stateOf(bulletin.id)).toBe('sent'));
    expect(archive.published).toHaveLength(0);
  });

  it('fails a refused post at once', async () => {
    const archive = createRecordingOutlet('archive');
    archive.failNext({ ok: false, failure: 'not_allowed', retryable: false, detail: 'bot is not an admin' });
    const bulletin = await draft(['archive']);
    await approveIt(bulletin.id);
    await run([archive.outlet]);
    await vi.waitFor(async () =>
      expect(await publicationOf(bulletin.id, 'archive')).toMatchObject({ state: 'failed', attempts: 1 }),
    );
  });

  /** A bulletin whose post an engine claimed and then died before recording. */
  async function interrupted(outlet: OutletName) {
    const bulletin = await draft([outlet]);
    await approveIt(bulletin.id);
    await ctx.db
      .update(publications)
      .set({ state: 'posting', attempts: 1, leaseUntil: sql`now() - interval '1 second'` })
      .where(eq(publications.bulletinId, bulletin.id));
    return bulletin;
  }

  it('after a crash in posting, records the post the outlet already holds instead of posting again', async () => {
    const telegram = createRecordingOutlet('telegram_channel', { findable: true });
    const bulletin = await interrupted('telegram_channel');
    telegram.holdsPost(bulletin.id, 'tg-77');
    await run([telegram.outlet]);

    await vi.waitFor(async () =>
      expect(await publicationOf(bulletin.id, 'telegram_channel')).toMatchObject({
        state: 'posted',
        externalId: 'tg-77',
        attempts: 2,
      }),
    );
    expect(telegram.published).toHaveLength(0);
  });

  it('after a crash in posting, posts again with a warning where the outlet cannot tell', async () => {
    warnings.length = 0;
    const archive = createRecordingOutlet('archive');
    const bulletin = await interrupted('archive');
    await run([archive.outlet]);

    await vi.waitFor(() => expect(archive.published).toHaveLength(1));
    expect(warnings.some((msg) => msg.includes('may appear twice'))).toBe(true);
    await vi.waitFor(async () =>
      expect(await publicationOf(bulletin.id, 'archive')).toMatchObject({ state: 'posted', attempts: 2 }),
    );
  });

  it('a post still within its lease is left to the engine that claimed it', async () => {
    const archive = createRecordingOutlet('archive');
    const bulletin = await interrupted('archive');
    await ctx.db
      .update(publications)
      .set({ leaseUntil: sql`now() + interval '1 hour'` })
      .where(eq(publications.bulletinId, bulletin.id));
    await run([archive.outlet]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(archive.published).toHaveLength(0);
  });

  it('Ritira deletes the post on every outlet that can, and names the one that could not', async () => {
    const telegram = createRecordingOutlet('telegram_channel');
    const archive = createRecordingOutlet('archive');
    const channel = createRecordingOutlet('whatsapp_channel', { capabilities: { revoke: false } });
    telegram.refuseRevokes();
    const bulletin = await draft(['telegram_channel', 'archive', 'whatsapp_channel']);
    await approveIt(bulletin.id);
    await run([telegram.outlet, archive.outlet, channel.outlet]);
    await vi.waitFor(async () => expect(await stateOf(bulletin.id)).toBe('sent'));

    await requestRevoke(ctx.db, { bulletinId: bulletin.id, actorId: 2, adminIds: admins });
    await vi.waitFor(async () => {
      const notices = (await unpostedNotices(ctx.db)).map((n) => n.notice);
      expect(notices).toContainEqual({
        kind: 'bulletin_revoked',
        bulletinId: bulletin.id,
        revoked: 0,
        notRevoked: ['whatsapp_channel', 'telegram_channel'],
      });
    });
    expect(archive.revoked).toEqual(['archive-1']);
    expect((await publicationOf(bulletin.id, 'archive'))?.state).toBe('revoked');
    expect((await publicationOf(bulletin.id, 'telegram_channel'))?.state).toBe('revoke_failed');
    expect((await publicationOf(bulletin.id, 'whatsapp_channel'))?.state).toBe('revoke_failed');
  });

  it('Pausa holds a bulletin’s posts until Riprendi; Ferma cancels those not yet made', async () => {
    const archive = createRecordingOutlet('archive');
    const first = await draft(['whatsapp', 'archive']);
    const second = await draft(['whatsapp', 'archive'], 'Secondo avviso.');
    await seedSubscribers(ctx.db, 2);
    await approveIt(first.id);
    await approveIt(second.id);
    const actor = { actorId: 2, adminIds: admins };
    await pauseBulletin(ctx.db, { ...actor, bulletinId: first.id });
    await stopBulletin(ctx.db, { ...actor, bulletinId: second.id });
    await run([archive.outlet]);

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(archive.published).toHaveLength(0);
    expect((await publicationOf(second.id, 'archive'))?.state).toBe('cancelled');

    await resumeBulletin(ctx.db, { ...actor, bulletinId: first.id });
    await vi.waitFor(() => expect(archive.published.map((p) => p.bulletin.bulletinId)).toEqual([first.id]));
  });

  it('records each outlet’s health for /stato', async () => {
    const archive = createRecordingOutlet('archive', {
      health: { ok: false, detail: 'PUBLIC_BASE_URL non raggiungibile' },
    });
    await run([archive.outlet]);
    await vi.waitFor(async () => {
      const rows = await ctx.db.execute(sql`SELECT outlet, ok FROM outlet_health`);
      expect(JSON.stringify(rows)).toContain('archive');
    });
  });

  it('marks an outlet not working when a post fails, and working again when one goes out', async () => {
    const telegram = createRecordingOutlet('telegram_channel', {
      health: { ok: true, detail: 'Notizie: pronto' },
    });
    const healthNow = async () =>
      (await outletHealthList(ctx.db)).map(({ outlet, ok, detail }) => ({ outlet, ok, detail }));
    await run([telegram.outlet]);
    await vi.waitFor(async () =>
      expect(await healthNow()).toEqual([
        { outlet: 'telegram_channel', ok: true, detail: 'Notizie: pronto' },
      ]),
    );

    // A refusal of this bulletin's content says nothing of the channel.
    telegram.failNext(
      { ok: false, failure: 'rejected', retryable: false, detail: '400 message is too long' },
      { ok: false, failure: 'not_allowed', retryable: false, detail: '403 bot is not a member' },
    );
    const refused = await draft(['telegram_channel'], 'Primo.');
    await approveIt(refused.id);
    await vi.waitFor(async () =>
      expect((await publicationOf(refused.id, 'telegram_channel'))?.state).toBe('failed'),
    );
    expect(await healthNow()).toEqual([{ outlet: 'telegram_channel', ok: true, detail: 'Notizie: pronto' }]);

    const forbidden = await draft(['telegram_channel'], 'Secondo.');
    await approveIt(forbidden.id);
    await vi.waitFor(async () =>
      expect(await healthNow()).toEqual([
        { outlet: 'telegram_channel', ok: false, detail: 'failure:not_allowed' },
      ]),
    );

    const posted = await draft(['telegram_channel'], 'Terzo.');
    await approveIt(posted.id);
    await vi.waitFor(async () =>
      expect(await healthNow()).toEqual([{ outlet: 'telegram_channel', ok: true, detail: '' }]),
    );
  });
});

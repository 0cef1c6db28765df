import { sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { auditEntries } from '../../src/core/audit.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { queuePause } from '../../src/core/send-control.js';
import { deliveries } from '../../src/db/schema.js';
import { timestampDate } from '../../src/whatsapp/ban-signals.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seededJid, seedSubscribers } from '../helpers/seed.js';
import type { StandInSocket } from '../helpers/wa-socket.js';

const bulletinSends = (socket: StandInSocket) => socket.sent.filter((m) => m.message);

describeWithDatabase('ban signals', (ctx) => {
  const wa = bridgeHarness(ctx);

  async function linked() {
    const started = await wa.start();
    started.socket.open();
    await vi.waitFor(() => expect(started.bridge.state().sending).toBe(true));
    return started;
  }

  it('pauses everything at once on a 463 ack, tells staff once, never resends, and asks for the time lock', async () => {
    await seedSubscribers(ctx.db, 3);
    const { socket } = await linked();
    const first = await approvedBulletin(ctx.db, 'Primo');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(3));
    const [hit] = bulletinSends(socket);

    // WhatsApp refuses the messages with 463, as Baileys reports it.
    for (const send of bulletinSends(socket)) socket.errorAck(send.messageId!, send.jid, '463');
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('error_463'));
    await vi.waitFor(() => expect(socket.timeLockFetches()).toBeGreaterThanOrEqual(1));

    await approvedBulletin(ctx.db, 'Secondo');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bulletinSends(socket)).toHaveLength(3);
    expect(bulletinSends(socket).filter((m) => m.messageId === hit!.messageId)).toHaveLength(1);

    const notices = (await unpostedNotices(ctx.db, 50)).map((n) => n.notice);
    expect(notices.filter((n) => n.kind === 'sending_paused')).toEqual([
      { kind: 'sending_paused', signal: 'error_463', until: null },
    ]);
    const audit = await auditEntries(ctx.db);
    expect(audit.filter((a) => a.action === 'queue_pause')).toHaveLength(1);
    // The refused messages are not queued again.
    const rows = await ctx.db.select().from(deliveries);
    expect(rows.filter((r) => r.bulletinId === first.id).every((r) => r.state === 'sent')).toBe(true);
  });

  it('ignores an error ack that is not 463 and one for a message that is not ours', async () => {
    await seedSubscribers(ctx.db, 1);
    const { socket } = await linked();
    socket.errorAck('3EB0000000000000000001', seededJid(1), '479');
    socket.socket.ev.emit('messages.update', [
      {
        key: { remoteJid: seededJid(1), fromMe: false, id: 'X' },
        update: { status: 0, messageStubParameters: ['463'] },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await queuePause(ctx.db)).toBeUndefined();
  });

  it('learns the end of a 463 pause from the time lock, and resumes by itself when it passes', async () => {
    await seedSubscribers(ctx.db, 2);
    const { socket } = await linked();
    await approvedBulletin(ctx.db, 'Primo');
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(2));
    const [send] = bulletinSends(socket);
    socket.errorAck(send!.messageId!, send!.jid, '463');
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.signal).toBe('error_463'));

    // Far enough ahead that the checks below run before it passes, even on a loaded machine.
    const ends = new Date(Date.now() + 3_000);
    socket.update({ reachoutTimeLock: { isActive: true, timeEnforcementEnds: ends } });
    await vi.waitFor(async () => expect((await queuePause(ctx.db))?.until?.getTime()).toBe(ends.getTime()));
    // A later 463 ack of the same restriction keeps the end time learned.
    socket.errorAck(bulletinSends(socket)[1]!.messageId!, bulletinSends(socket)[1]!.jid, '463');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await queuePause(ctx.db))?.until?.getTime()).toBe(ends.getTime());
    await approvedBulletin(ctx.db, 'Secondo');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bulletinSends(socket)).toHaveLength(2);
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(4), { timeout: 10_000 });
    expect(await queuePause(ctx.db)).toBeUndefined();
  });

  it('pauses on an active reach-out time lock until it ends, and resumes when WhatsApp lifts it', async () => {
    await seedSubscribers(ctx.db, 1);
    const { socket } = await linked();
    const ends = new Date(Date.now() + 3_600_000);
    socket.update({
      reachoutTimeLock: { isActive: true, timeEnforcementEnds: ends, enforcementType: 'DEFAULT' as never },
    });
    await vi.waitFor(async () =>
      expect(await queuePause(ctx.db)).toMatchObject({ signal: 'reachout_timelock', until: ends }),
    );
    await approvedBulletin(ctx.db, 'Avviso');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bulletinSends(socket)).toHaveLength(0);

    // rc14 reports the lift as a connection.update with isActive false.
    socket.update({ reachoutTimeLock: { isActive: false } });
    await vi.waitFor(() => expect(bulletinSends(socket)).toHaveLength(1));
    // The "sent" notice follows the mark of the last send: wait for it too.
    await vi.waitFor(async () =>
      expect((await unpostedNotices(ctx.db, 50)).map((n) => n.notice)).toEqual([
        { kind: 'sending_paused', signal: 'reachout_timelock', until: ends.toISOString() },
        { kind: 'sending_resumed', signal: 'reachout_timelock' },
        expect.objectContaining({ kind: 'bulletin_sent' }),
      ]),
    );
  });

  it('pauses on message capping until the cycle ends', async () => {
    const { socket } = await linked();
    socket.capping({
      capping_status: 'CAPPED' as never,
      total_quota: 100,
      used_quota: 100,
      cycle_end_timestamp: '1893456000',
    });
    await vi.waitFor(async () =>
      expect(await queuePause(ctx.db)).toMatchObject({
        signal: 'message_capping',
        until: new Date('2030-01-01T00:00:00Z'),
      }),
    );
    socket.capping({ capping_status: 'FIRST_WARNING' as never });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await queuePause(ctx.db))?.signal).toBe('message_capping');
    socket.capping({ capping_status: 'NONE' as never });
    await vi.waitFor(async () => expect(await queuePause(ctx.db)).toBeUndefined());
  });

  it('keeps a pause made by staff when a signal arrives, and still tells staff', async () => {
    const { socket } = await linked();
    await ctx.db.execute(
      sql`UPDATE bridge_state SET paused_at = now(), pause_signal = 'staff', pause_reason = 'prova'`,
    );
    socket.update({
      reachoutTimeLock: { isActive: true, timeEnforcementEnds: new Date(Date.now() + 1_000) },
    });
    await vi.waitFor(async () =>
      expect((await unpostedNotices(ctx.db)).map((n) => n.notice.kind)).toEqual(['sending_paused']),
    );
    expect(await queuePause(ctx.db)).toMatchObject({ signal: 'staff', until: null });
  });

  it('reads WhatsApp timestamps in seconds or milliseconds', () => {
    expect(timestampDate('1893456000')).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(timestampDate(1893456000000)).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(timestampDate(undefined)).toBeUndefined();
    expect(timestampDate('0')).toBeUndefined();
    expect(timestampDate('abc')).toBeUndefined();
  });
});

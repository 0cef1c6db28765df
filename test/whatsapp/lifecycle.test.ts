import { DisconnectReason } from '@whiskeysockets/baileys';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { requestPairing } from '../../src/core/link.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { queuePause } from '../../src/core/send-control.js';
import { bridgeState, waAuth } from '../../src/db/schema.js';
import { backoffDelay, closeAction } from '../../src/whatsapp/close-policy.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('closeAction and backoffDelay', () => {
  it.each([
    [515, 'reconnect_now'],
    [408, 'backoff'],
    [428, 'backoff'],
    [500, 'backoff'],
    [503, 'backoff'],
    [undefined, 'backoff'],
    [440, 'replaced'],
    [401, 'logged_out'],
    [403, 'banned'],
    [405, 'outdated'],
  ])('reacts to close code %s with %s', (code, action) => {
    expect(closeAction(code)).toBe(action);
  });

  it('doubles the wait per failure up to the cap, with jitter between half and all of it', () => {
    const limits = { baseMs: 1_000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, limits, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(3, limits, () => 0)).toBe(2_000);
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(2, limits);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });
});

describeWithDatabase('bridge lifecycle', (ctx) => {
  const wa = bridgeHarness(ctx);
  const link = async () => (await ctx.db.select().from(bridgeState))[0]!;

  it('reconnects at once on 515, with the saved login, and never runs two sockets at once', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'));
    socket.close(DisconnectReason.restartRequired);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    expect(wa.factory.made[0]!.isEnded()).toBe(true);
    expect(wa.factory.latest().options.auth.creds.me?.id).toBe('390550000000:1@s.whatsapp.net');
  });

  it.each([408, 428, 500, 503])('backs off and reconnects on %s', async (code) => {
    const { bridge, socket } = await wa.start({ backoff: { baseMs: 40, maxMs: 40 } });
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'));
    const closedAt = Date.now();
    socket.close(code);
    await vi.waitFor(async () => expect((await link()).link).toBe('reconnecting'));
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    // Jitter keeps at least half of the step.
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(19);
    expect(wa.factory.made.filter((s) => !s.isEnded())).toHaveLength(1);
  });

  it('on 440 tells staff another session took over and does not fight it', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    socket.close(DisconnectReason.connectionReplaced);
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_replaced'));
    await settle();
    expect(wa.factory.made).toHaveLength(1);
    expect(bridge.state().link).toBe('replaced');
    expect((await link()).link).toBe('replaced');
  });

  it('on 403 tells staff the number is banned and stops; on 405 that the client is outdated', async () => {
    const first = await wa.start();
    first.socket.open();
    first.socket.close(DisconnectReason.forbidden);
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_banned'));
    await settle();
    expect(wa.factory.made).toHaveLength(1);
    await wa.stop(first.bridge);

    const second = await wa.start();
    second.socket.open();
    second.socket.close(405);
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_outdated'));
    await settle();
    expect(wa.factory.made).toHaveLength(1);
  });

  it('on 401 forgets the login, pauses sending, asks staff to link again, and resumes once linked', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    await vi.waitFor(() => expect(bridge.state().linked).toBe(true));
    socket.close(DisconnectReason.loggedOut);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_logged_out'));
    expect((await ctx.db.select({ n: count() }).from(waAuth))[0]?.n).toBe(0);
    expect((await queuePause(ctx.db))?.signal).toBe('logged_out');
    expect(bridge.state().linked).toBe(false);
    expect(wa.factory.latest().options.auth.creds.me).toBeUndefined();

    const fresh = wa.factory.latest();
    fresh.update({ connection: 'connecting', qr: '2@new-qr' });
    await vi.waitFor(async () => expect((await link()).qr).toBe('2@new-qr'));
    expect((await link()).link).toBe('waiting_for_link');

    fresh.open();
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toContain('wa_linked'));
    expect(await queuePause(ctx.db)).toBeUndefined();
    const row = await link();
    expect(row).toMatchObject({ link: 'open', qr: null, linkedNumber: '390550000000@s.whatsapp.net' });
    expect(row.linkedAt).toBeInstanceOf(Date);
  });

  it('tells staff when the link stays down past the alert time, and when it is back', async () => {
    // Long enough that a reconnect on a loaded machine is still "short"; the waits follow from it.
    const { bridge, socket } = await wa.start({ downAlertMs: 1_500 });
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'));
    // A short drop mended before the alert time says nothing.
    socket.close(DisconnectReason.connectionLost);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    wa.factory.latest().open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'));
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(await wa.noticeKinds()).toEqual([]);

    wa.factory.latest().close(DisconnectReason.connectionLost);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(3));
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toEqual(['wa_down']), { timeout: 10_000 });
    wa.factory.latest().open();
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toEqual(['wa_down', 'wa_back']));
  });

  it('does not raise the down alert while the number waits to be linked', async () => {
    const { socket } = await wa.start({ downAlertMs: 30 });
    socket.update({ connection: 'connecting', qr: '2@qr' });
    // The QR ran out.
    socket.close(DisconnectReason.timedOut);
    await vi.waitFor(() => expect(wa.factory.made).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await wa.noticeKinds()).toEqual([]);
  });

  it('asks for a pairing code for /collega once the socket offers a QR, and posts it', async () => {
    await requestPairing(ctx.db, { actorId: 1, adminIds: [1], phoneNumber: '390551234567' });
    const { bridge, socket } = await wa.start();
    await settle();
    expect(socket.pairingRequests).toEqual([]);
    socket.update({ connection: 'connecting', qr: '2@qr' });
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toEqual(['pairing_code']));
    expect(socket.pairingRequests).toEqual(['390551234567']);
    const [notice] = await unpostedNotices(ctx.db);
    expect(notice?.notice).toEqual({ kind: 'pairing_code', code: 'ABCD1234' });
    // Baileys wrote creds.me when asked for the code; that is not a link yet.
    expect(socket.options.auth.creds.me?.id).toBe('390551234567@s.whatsapp.net');
    expect(bridge.state().linked).toBe(false);
    expect((await link()).pairingRequestedAt).toBeNull();
  });

  it('refuses a pairing code when already linked', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    await vi.waitFor(() => expect(bridge.state().link).toBe('open'));
    // Asked just before the link opened (the bot refuses once it sees it open).
    await ctx.db
      .update(bridgeState)
      .set({ pairingNumber: '390551234567', pairingRequestedAt: new Date() })
      .where(eq(bridgeState.id, 1));
    await vi.waitFor(async () => expect(await wa.noticeKinds()).toEqual(['pairing_failed']));
    expect(socket.pairingRequests).toEqual([]);
  });

  it('records the link in the database for /stato, and "stopped" on shutdown', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    await vi.waitFor(async () => expect((await link()).link).toBe('open'));
    await wa.stop(bridge);
    expect((await ctx.db.select().from(bridgeState).where(eq(bridgeState.id, 1)))[0]?.link).toBe('stopped');
  });

  it('withdraws the QR when it stops unlinked: nobody could use it', async () => {
    const { bridge, socket } = await wa.start();
    socket.update({ connection: 'connecting', qr: '2@qr' });
    await vi.waitFor(async () => expect((await link()).qr).toBe('2@qr'));
    await wa.stop(bridge);
    expect(await link()).toMatchObject({ link: 'stopped', qr: null });
  });

  it('on abort (the bridge role lost to another process) ends the socket at once, sends nothing more and leaves the shared link state to the new owner', async () => {
    const { bridge, socket } = await wa.start();
    socket.open();
    await vi.waitFor(async () => expect((await link()).link).toBe('open'));
    await bridge.abort();
    expect(socket.isEnded()).toBe(true);
    expect(bridge.state().link).toBe('stopped');
    await seedSubscribers(ctx.db, 2);
    await approvedBulletin(ctx.db, 'Avviso: strada chiusa.');
    await settle();
    expect(socket.sent).toEqual([]);
    expect(wa.factory.made).toHaveLength(1);
    expect((await link()).link).toBe('open');
  });
});

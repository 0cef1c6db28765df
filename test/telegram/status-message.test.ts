import { eq, sql } from 'drizzle-orm';
import type { Message, User } from 'grammy/types';
import { pino } from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { getBulletin } from '../../src/core/bulletins.js';
import { completeFinishedBulletins } from '../../src/core/outbox.js';
import { setRole } from '../../src/core/staff.js';
import { optIn } from '../../src/core/subscriptions.js';
import { auditLog, bridgeState, bulletins, deliveries } from '../../src/db/schema.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { type StatusUpdater, startStatusUpdater } from '../../src/telegram/status-updater.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import {
  admin,
  approvatore,
  captureLogger,
  createTestBot,
  redattore,
  STAFF_CHAT,
  stranger,
  type TestBot,
} from './support.js';

const admins = [admin.id];
const pacing = { ratePerMinute: 20, maxPerHour: 600, maxPerDay: 3000, warmupDays: 0 };
const jid = (n: number) => `3933300000${String(n).padStart(2, '0')}@s.whatsapp.net`;

describeWithDatabase('the live status message', (ctx) => {
  const bridges = bridgeHarness(ctx);
  let updater: StatusUpdater | undefined;
  afterEach(async () => {
    await updater?.stop();
    updater = undefined;
  });

  async function arrange(subscribers: number) {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    for (let n = 1; n <= subscribers; n++) {
      await optIn(ctx.db, { address: { phoneJid: jid(n) }, messageId: `M${n}`, privacyVersion: '1' });
    }
    return createTestBot(ctx.db);
  }

  async function startUpdater(
    t: TestBot,
    options: {
      perMessageMs?: number;
      perMinute?: number;
      now?: () => number;
      logger?: pino.Logger;
      notified?: boolean;
    } = {},
  ) {
    updater = await startStatusUpdater({
      db: ctx.db,
      listen: ctx.database.listen,
      api: t.bot.api,
      staffChat: createStaffChat(STAFF_CHAT),
      pacing,
      logger: options.logger ?? pino({ level: 'silent' }),
      // `notified`: no safety poll at all, so every change must reach the card through a notification.
      pollIntervalMs: options.now || options.notified ? 3_600_000 : 20,
      idlePollIntervalMs: options.now || options.notified ? 3_600_000 : 20,
      perMessageMs: options.perMessageMs ?? 0,
      perMinute: options.perMinute ?? 1000,
      ...(options.now ? { now: options.now } : {}),
    });
    return updater;
  }

  /** "dd/mm hh:mm" in Europe/Rome, as staff write it to /programma. */
  const romeDayTime = (at: Date) =>
    at
      .toLocaleString('it-IT', {
        timeZone: 'Europe/Rome',
        day: '2-digit',
        month: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
      .replace(',', '');

  /** Drafts through /bozza and approves from the preview; `sendAt` schedules it first (/programma). */
  async function draftAndApprove(t: TestBot, text: string, sendAt?: Date): Promise<number> {
    await t.say(redattore, `/bozza ${text}`);
    const preview = t.api.results<Message>('sendMessage').at(-1)!;
    const [row] = await ctx.db.select({ id: bulletins.id }).from(bulletins).orderBy(sql`id desc`).limit(1);
    if (sendAt) await t.say(approvatore, `/programma ${row!.id} ${romeDayTime(sendAt)}`);
    await t.bot.handleUpdate(
      callbackUpdate({ from: approvatore, data: `approve:${row!.id}:1`, message: preview }),
    );
    return row!.id;
  }

  const statusPosts = (t: TestBot) =>
    t.api.results<Message>('sendMessage').filter((m) => m.text?.includes('stato dell’invio'));
  /** Edits of the status message (the preview's edits are not it). */
  const statusEdits = (t: TestBot) =>
    t.api.calls('editMessageText').filter((c) => c.message_id === statusPosts(t)[0]?.message_id);
  const lastStatus = (t: TestBot) => {
    const last =
      statusEdits(t).at(-1) ??
      t.api
        .calls('sendMessage')
        .filter((c) => String(c.text).includes('stato dell’invio'))
        .at(-1);
    return last as {
      text: string;
      reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
    };
  };
  const labels = (t: TestBot) =>
    lastStatus(t)
      .reply_markup?.inline_keyboard.flat()
      .map((b) => b.text) ?? [];
  /** Answers to button presses, the approval's own left out. */
  const answers = (t: TestBot) =>
    t.api
      .calls('answerCallbackQuery')
      .map((c) => c.text)
      .filter((text) => text !== 'Approvato.');
  const press = (t: TestBot, from: User, data: string) =>
    t.bot.handleUpdate(callbackUpdate({ from, data, message: statusPosts(t)[0]! }));

  it('shows a finished bulletin with its counts at start-up, then delivered and read as receipts arrive', async () => {
    const t = await arrange(5);
    const { socket } = await bridges.start({
      config: { sendLimits: { maxPerHour: 80, maxPerDay: 1000, warmupDays: 0, maxAttempts: 1 } },
    });
    socket.open();
    socket.notOnWhatsApp.add(jid(4));
    socket.failSends(1);
    await draftAndApprove(t, 'Domenica 12 il mercato si sposta in piazza Matteotti.');
    await vi.waitFor(async () => expect((await getBulletin(ctx.db, 1)).state).toBe('sent'), {
      timeout: 10_000,
    });

    await startUpdater(t);

    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));
    expect(statusPosts(t)[0]!.text).toBe(
      'Bollettino n. 1: stato dell’invio.\nConcluso: 3 inviati, 1 non riuscito, 1 non su WhatsApp.\nConsegnati: 0. Letti: 0.',
    );
    expect(labels(t)).toEqual(['Ritira']);
    await vi.waitFor(async () =>
      expect((await getBulletin(ctx.db, 1)).statusMessageId).toBe(statusPosts(t)[0]!.message_id),
    );

    const sent = socket.sent.filter((m) => m.message);
    expect(sent).toHaveLength(3);
    socket.statuses(sent.map((m) => ({ id: m.messageId!, jid: m.jid, status: 3 })));
    socket.statuses(sent.slice(0, 2).map((m) => ({ id: m.messageId!, jid: m.jid, status: 4 })));

    await vi.waitFor(() =>
      expect(lastStatus(t).text).toBe(
        'Bollettino n. 1: stato dell’invio.\nConcluso: 3 inviati, 1 non riuscito, 1 non su WhatsApp.\nConsegnati: 3. Letti: 2.',
      ),
    );
    expect(statusPosts(t)).toHaveLength(1);
  });

  it('follows a bulletin from approval to done in one message while the bridge sends it', async () => {
    const t = await arrange(2);
    await startUpdater(t, { notified: true });
    const { socket } = await bridges.start();
    socket.open();

    await draftAndApprove(t, 'Avviso.');

    await vi.waitFor(
      () =>
        expect(lastStatus(t)?.text).toBe(
          'Bollettino n. 1: stato dell’invio.\nConcluso: 2 inviati.\nConsegnati: 0. Letti: 0.',
        ),
      { timeout: 10_000 },
    );
    expect(statusPosts(t)).toHaveLength(1);
    expect(statusPosts(t)[0]!.text).toMatch(/^Bollettino n\. 1: stato dell’invio\.\n(In invio|Concluso)/);
  });

  it('says so when a queued bulletin leaves the queue before it starts, and lets go of the message', async () => {
    const t = await arrange(2);
    await draftAndApprove(t, 'Avviso.', new Date(Date.now() + 86_400_000));
    await startUpdater(t);
    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));

    // As unscheduling or withdrawing leaves it: no longer approved.
    await ctx.db.update(bulletins).set({ state: 'pending', sendAt: null });

    await vi.waitFor(() =>
      expect(lastStatus(t).text).toBe(
        'Bollettino n. 1: stato dell’invio.\nNon più in coda: l’invio è stato annullato prima di partire.',
      ),
    );
    await vi.waitFor(async () => expect((await getBulletin(ctx.db, 1)).statusMessageId).toBeNull());
    await updater!.refresh();
    expect(statusEdits(t)).toHaveLength(1);
  });

  it('posts the status again when its message was deleted from the group', async () => {
    const t = await arrange(2);
    await draftAndApprove(t, 'Avviso.', new Date(Date.now() + 86_400_000));
    await startUpdater(t);
    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));

    t.api.failNext('editMessageText', {
      error_code: 400,
      description: 'Bad Request: message to edit not found',
    });
    await ctx.db.update(bulletins).set({ sendAt: new Date(Date.now() + 2 * 86_400_000) });

    // The edit waits for the status's edit budget (one per 5 s) and the updater's next look.
    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(2), { timeout: 15_000 });
    // The new message's id is recorded just after Telegram answers the post.
    await vi.waitFor(async () =>
      expect((await getBulletin(ctx.db, 1)).statusMessageId).toBe(statusPosts(t)[1]!.message_id),
    );
  });

  it('posts a scheduled bulletin as queued, with the time it will start', async () => {
    const t = await arrange(2);
    await startUpdater(t);

    await draftAndApprove(t, 'Chiusura uffici.', new Date(Date.now() + 2 * 86_400_000));

    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));
    expect(statusPosts(t)[0]!.text).toMatch(
      /^Bollettino n\. 1: stato dell’invio\.\nIn coda: partirà il \d\d\/\d\d alle \d\d:\d\d\.$/,
    );
    expect(labels(t)).toEqual([]);
  });

  it('lets an approvatore pause, resume and stop from the status; a redattore or a stranger changes nothing', async () => {
    const t = await arrange(2);
    const { logger, lines } = captureLogger();
    await startUpdater(t, { logger });
    await draftAndApprove(t, 'Avviso.');
    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));
    expect(lastStatus(t).text).toBe(
      'Bollettino n. 1: stato dell’invio.\nIn invio: 0 di 2. In attesa: WhatsApp non è collegato (/stato).',
    );
    await ctx.db.update(bridgeState).set({ link: 'open' });
    await vi.waitFor(() =>
      expect(lastStatus(t).text).toMatch(
        /^Bollettino n\. 1: stato dell’invio\.\nIn invio: 0 di 2\. Fine prevista alle \d\d:\d\d\.$/,
      ),
    );
    expect(labels(t)).toEqual(['Pausa', 'Ferma']);

    await press(t, redattore, 'pause:1');
    await press(t, stranger, 'stop:1');
    await press(t, redattore, 'stop:1');
    await press(t, redattore, 'stop:1');
    expect(await getBulletin(ctx.db, 1)).toMatchObject({ state: 'sending', pausedAt: null });
    expect(answers(t)).toEqual([
      'Il tuo ruolo non lo consente.',
      'Non hai un ruolo nello staff.',
      'Il tuo ruolo non lo consente.',
      'Il tuo ruolo non lo consente.',
    ]);

    // Telegram answers "not modified" when an edit changes nothing: no error, the status counts as shown.
    t.api.failNext('editMessageText', {
      error_code: 400,
      description:
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same',
    });
    const editsBefore = statusEdits(t).length;
    await press(t, approvatore, 'pause:1');
    await updater!.refresh();
    expect((await getBulletin(ctx.db, 1)).pausedAt).not.toBeNull();
    await updater!.refresh();
    expect(statusEdits(t)).toHaveLength(editsBefore + 1);
    expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);

    await press(t, approvatore, 'resume:1');
    await vi.waitFor(() => expect(lastStatus(t).text).toContain('Fine prevista'));
    await press(t, approvatore, 'pause:1');
    await vi.waitFor(() => expect(lastStatus(t).text).toContain('In pausa: 0 di 2.'));
    expect(labels(t)).toEqual(['Riprendi', 'Ferma']);

    await press(t, approvatore, 'stop:1');
    expect((await getBulletin(ctx.db, 1)).state).toBe('sending');
    await press(t, approvatore, 'stop:1');
    await vi.waitFor(() =>
      expect(lastStatus(t).text).toBe(
        'Bollettino n. 1: stato dell’invio.\nFermato: 0 inviati, 2 annullati.\nConsegnati: 0. Letti: 0.',
      ),
    );
    expect(labels(t)).toEqual([]);
    expect(
      t.api
        .calls('answerCallbackQuery')
        .filter((c) => c.show_alert === true)
        .at(-1)?.text,
    ).toBe(
      'Fermare l’invio? Chi non l’ha ancora ricevuto non lo riceverà più. Per confermare premi di nuovo «Ferma» entro 15 secondi.',
    );
    expect(answers(t).slice(4)).toEqual([
      'In pausa.',
      'Ripreso.',
      'In pausa.',
      expect.stringMatching(/^Fermare l’invio\?/),
      'Fermato: il resto non parte.',
    ]);
    const register = await ctx.db.select().from(auditLog).where(eq(auditLog.actorId, approvatore.id));
    expect(register.map((r) => r.action)).toEqual(['approve', 'pause', 'resume', 'pause', 'stop']);
    expect(await ctx.db.select().from(deliveries).where(eq(deliveries.state, 'cancelled'))).toHaveLength(2);
  });

  it('withdraws a sent bulletin on a confirmed "Ritira", and shows it', async () => {
    const t = await arrange(1);
    await draftAndApprove(t, 'Avviso.');
    await ctx.db.update(deliveries).set({ state: 'sent', sentAt: sql`now()` });
    await completeFinishedBulletins(ctx.db);
    await startUpdater(t);
    await vi.waitFor(() => expect(labels(t)).toEqual(['Ritira']));

    await press(t, approvatore, 'revoke:1');
    expect((await getBulletin(ctx.db, 1)).revokeRequestedAt).toBeNull();
    await press(t, approvatore, 'revoke:1');

    expect((await getBulletin(ctx.db, 1)).revokeRequestedAt).not.toBeNull();
    expect(answers(t)).toEqual([
      'Ritirare il bollettino? Sarà cancellato per tutti dalle chat WhatsApp. Per confermare premi di nuovo «Ritira» entro 15 secondi.',
      'Ritiro chiesto: i messaggi vengono cancellati per tutti.',
    ]);
    await vi.waitFor(() =>
      expect(lastStatus(t).text).toBe(
        'Bollettino n. 1: stato dell’invio.\nConcluso: 1 inviato.\nConsegnati: 0. Letti: 0.\nRitiro in corso: i messaggi vengono cancellati per tutti.',
      ),
    );
    expect(labels(t)).toEqual([]);
  });

  it('refuses "Ritira" past WhatsApp’s 48 hours and to a redattore', async () => {
    const t = await arrange(1);
    await draftAndApprove(t, 'Avviso.');
    await ctx.db.update(deliveries).set({ state: 'sent', sentAt: sql`now() - interval '50 hours'` });
    await completeFinishedBulletins(ctx.db);
    await startUpdater(t);
    await vi.waitFor(() => expect(statusPosts(t)).toHaveLength(1));

    await press(t, redattore, 'revoke:1');
    await ctx.db.update(bulletins).set({ finishedAt: sql`now() - interval '49 hours'` });
    await press(t, approvatore, 'revoke:1');
    await press(t, approvatore, 'revoke:1');

    expect(answers(t)).toEqual([
      'Il tuo ruolo non lo consente.',
      'Troppo tardi per ritirarlo: WhatsApp permette di cancellare un messaggio per tutti solo entro 48 ore.',
      'Troppo tardi per ritirarlo: WhatsApp permette di cancellare un messaggio per tutti solo entro 48 ore.',
    ]);
    expect((await getBulletin(ctx.db, 1)).revokeRequestedAt).toBeNull();
  });

  it('edits a sending status at most once every 5 seconds, and always shows the end', async () => {
    const t = await arrange(30);
    let clock = 1_000_000;
    await draftAndApprove(t, 'Avviso.');
    await startUpdater(t, { perMessageMs: 5_000, perMinute: 15, now: () => clock });
    await updater!.refresh();
    expect(statusPosts(t)).toHaveLength(1);

    for (let i = 0; i < 30; i++) {
      await ctx.db.execute(sql`
        UPDATE deliveries SET state = 'sent', sent_at = now()
        WHERE id = (SELECT min(id) FROM deliveries WHERE state = 'pending')`);
      clock += 1_000;
      await updater!.refresh();
    }
    await completeFinishedBulletins(ctx.db);
    clock += 1_000;
    await updater!.refresh();
    const beforeEnd = statusEdits(t).length;
    clock += 5_000;
    await updater!.refresh();

    const edits = statusEdits(t);
    expect(beforeEnd).toBeLessThanOrEqual(7);
    expect(edits.length).toBe(beforeEnd + 1);
    expect(edits.at(-1)?.text).toBe(
      'Bollettino n. 1: stato dell’invio.\nConcluso: 30 inviati.\nConsegnati: 0. Letti: 0.',
    );
  });

  it('posts no more than the group budget a minute, and the rest once there is room', async () => {
    const t = await arrange(1);
    let clock = 1_000_000;
    const tomorrow = new Date(Date.now() + 86_400_000);
    for (let n = 1; n <= 5; n++) await draftAndApprove(t, `Avviso ${n}.`, tomorrow);
    await startUpdater(t, { perMinute: 3, now: () => clock });
    await updater!.refresh();
    expect(statusPosts(t)).toHaveLength(3);

    clock += 30_000;
    await updater!.refresh();
    expect(statusPosts(t)).toHaveLength(3);
    clock += 30_001;
    await updater!.refresh();
    expect(statusPosts(t).map((m) => m.text?.split(':')[0])).toEqual(
      [1, 2, 3, 4, 5].map((n) => `Bollettino n. ${n}`),
    );
  });
});

import { eq } from 'drizzle-orm';
import type { InlineKeyboardMarkup, Message, User } from 'grammy/types';
import { afterEach, expect, it, vi } from 'vitest';
import { startDueBulletins } from '../../src/core/deliveries.js';
import { fromRome } from '../../src/core/schedule.js';
import { setRole } from '../../src/core/staff.js';
import { auditLog, bulletins, deliveries } from '../../src/db/schema.js';
import { type ButtonData, buttonData } from '../../src/telegram/callback-data.js';
import { refusal } from '../../src/telegram/texts.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import { admin, approvatore, createTestBot, redattore, stranger, type TestBot } from './support.js';

const admins = [admin.id];
/** Tuesday 15 December 2026 in Rome; the window is 08:00-20:00. */
const at = (hour: number, minute = 0) => fromRome(2026, 12, 15, hour, minute);

describeWithDatabase('scheduling and the sending window', (ctx) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A fixed clock for the bot and core (only Date is faked; the database keeps its own). */
  function clock(now: Date) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
  }

  async function arrange() {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    await seedSubscribers(ctx.db, 2);
    return createTestBot(ctx.db, { SEND_WINDOW: '08:00-20:00' });
  }

  async function draft(t: TestBot, text = 'Avviso'): Promise<Message> {
    await t.say(redattore, `/bozza ${text}`);
    return t.api.results<Message>('sendMessage').at(-1)!;
  }

  const press = (t: TestBot, from: User, data: ButtonData, message: Message) =>
    t.bot.handleUpdate(callbackUpdate({ from, data: buttonData(data), message }));
  const row = async (id = 1) => (await ctx.db.select().from(bulletins).where(eq(bulletins.id, id)))[0]!;
  const queued = async (id = 1) => ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, id));
  const answers = (t: TestBot) => t.api.calls('answerCallbackQuery').map((p) => p.text);
  const buttons = (markup: unknown) =>
    (markup as InlineKeyboardMarkup).inline_keyboard
      .flat()
      .map((b) => [b.text, 'callback_data' in b ? b.callback_data : '']);

  it('holds a bulletin approved at night for the window, and sends an urgent one at once', async () => {
    const t = await arrange();
    clock(at(23, 0));
    const night = await draft(t, 'Di notte');
    const urgent = await draft(t, 'Strada chiusa per frana');

    await press(t, approvatore, { action: 'approve', bulletinId: 1, version: 1 }, night);
    await press(t, approvatore, { action: 'urgent', bulletinId: 2, version: 1 }, urgent);
    await press(t, approvatore, { action: 'approve', bulletinId: 2, version: 1 }, urgent);

    expect(await row(1)).toMatchObject({ state: 'approved', sendAt: fromRome(2026, 12, 16, 8, 0) });
    expect(await queued(1)).toEqual([]);
    expect(await row(2)).toMatchObject({ state: 'sending', urgent: true, sendAt: null });
    expect((await queued(2)).map((d) => d.priority)).toEqual([1, 1]);
    expect(answers(t)).toEqual([
      'Approvato: partirà mercoledì 16/12/2026 alle 08:00.',
      'Segnato come urgente: parte anche fuori dalla fascia d’invio, prima degli altri.',
      'Approvato.',
    ]);
    // The bridge's sender, polling, does not start it before its time.
    vi.useRealTimers();
    expect(await startDueBulletins(ctx.db)).toEqual([]);

    // Marked urgent while it waits, it goes now.
    clock(at(23, 5));
    await press(t, approvatore, { action: 'urgent', bulletinId: 1, version: 1 }, night);
    expect(await row(1)).toMatchObject({ state: 'sending', urgent: true });
    expect(await queued(1)).toHaveLength(2);
  });

  it('offers quick choices, schedules with one, and the approval then waits for that time', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const preview = await draft(t);

    await press(t, approvatore, { action: 'schedule', bulletinId: 1, version: 1 }, preview);
    const [swap] = t.api.calls('editMessageReplyMarkup');
    expect(swap).toMatchObject({ message_id: preview.message_id });
    expect(buttons(swap!.reply_markup)).toEqual([
      ['Tra un’ora', 'when:1:1:h1'],
      ['Tra 3 ore', 'when:1:1:h3'],
      ['Domani alle 8', 'when:1:1:t8'],
      ['Domani alle 12', 'when:1:1:t12'],
      ['Lunedì alle 8', 'when:1:1:m8'],
      ['Indietro', 'back:1'],
    ]);

    await press(t, approvatore, { action: 'when', bulletinId: 1, version: 1, arg: 't12' }, preview);
    const noon = fromRome(2026, 12, 16, 12, 0);
    expect(await row()).toMatchObject({ state: 'pending', sendAt: noon });
    const [entry] = await ctx.db.select().from(auditLog).where(eq(auditLog.action, 'schedule'));
    expect(entry).toMatchObject({
      actorId: approvatore.id,
      detail: { name: 'Aldo', requested: noon.toISOString(), at: noon.toISOString() },
    });
    expect(answers(t).at(-1)).toBe(
      'Programmato: partirà mercoledì 16/12/2026 alle 12:00, dopo l’approvazione.',
    );
    expect(t.api.calls('editMessageText').at(-1)).toMatchObject({ message_id: preview.message_id });

    await press(t, admin, { action: 'approve', bulletinId: 1, version: 1 }, preview);
    expect(await row()).toMatchObject({ state: 'approved', sendAt: noon });
    expect(await queued()).toEqual([]);
    expect(answers(t).at(-1)).toBe('Approvato: partirà mercoledì 16/12/2026 alle 12:00.');
  });

  it('moves a time outside the window to its next opening, and "Indietro" restores the preview', async () => {
    const t = await arrange();
    clock(at(19, 30));
    const preview = await draft(t);

    await press(t, approvatore, { action: 'when', bulletinId: 1, version: 1, arg: 'h1' }, preview);

    expect(await row()).toMatchObject({ sendAt: fromRome(2026, 12, 16, 8, 0) });
    expect(answers(t).at(-1)).toBe(
      'Fuori dalla fascia d’invio (08:00-20:00): partirà mercoledì 16/12/2026 alle 08:00, dopo l’approvazione. Per inviarlo prima, segnalalo come urgente.',
    );

    await press(t, approvatore, { action: 'schedule', bulletinId: 1, version: 1 }, preview);
    await press(t, redattore, { action: 'back', bulletinId: 1 }, preview);
    // However the preview is redrawn (its text or only its buttons), its own buttons are back.
    const lastEdit = t.api.all
      .filter((c) => c.method.startsWith('editMessage') && c.payload.message_id === preview.message_id)
      .at(-1)!;
    expect(buttons(lastEdit.payload.reply_markup).map(([, data]) => data)).toContain('approve:1:1');
  });

  it('keeps a night time asked for an urgent bulletin, and moves it back to the morning when no longer urgent', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const preview = await draft(t);
    await t.say(approvatore, '/programma 1 15/12 22:00');
    expect(await row()).toMatchObject({ sendAt: fromRome(2026, 12, 16, 8, 0) });

    await press(t, approvatore, { action: 'urgent', bulletinId: 1, version: 1 }, preview);
    expect(await row()).toMatchObject({ urgent: true, sendAt: at(22, 0) });
    await press(t, approvatore, { action: 'urgent', bulletinId: 1, version: 1 }, preview);
    expect(await row()).toMatchObject({ urgent: false, sendAt: fromRome(2026, 12, 16, 8, 0) });
    expect(answers(t)).toEqual([
      'Segnato come urgente: parte anche fuori dalla fascia d’invio, prima degli altri.',
      'Non più urgente.',
    ]);
  });

  it('keeps a time set without the scheduling buttons when urgency is toggled', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const preview = await draft(t);
    const set = fromRome(2026, 12, 20, 10, 0);
    await ctx.db.update(bulletins).set({ sendAt: set }).where(eq(bulletins.id, 1));

    await press(t, approvatore, { action: 'urgent', bulletinId: 1, version: 1 }, preview);

    expect(await row()).toMatchObject({ urgent: true, sendAt: set });
  });

  it('/programma sets any time in Rome time and refuses the past and impossible dates', async () => {
    const t = await arrange();
    clock(at(10, 0));
    await draft(t);

    await t.say(approvatore, '/programma 1 20/12 09:30');
    expect(await row()).toMatchObject({ sendAt: fromRome(2026, 12, 20, 9, 30) });
    expect(t.sent().at(-1)).toBe(
      'Bollettino n. 1. Programmato: partirà domenica 20/12/2026 alle 09:30, dopo l’approvazione.',
    );

    await t.say(approvatore, '/programma 1 15/12 09:59');
    await t.say(approvatore, '/programma 1 31/02 09:00');
    await t.say(approvatore, '/programma 1');
    expect(t.sent().slice(-3)).toEqual([
      refusal('time_in_past'),
      'Uso: /programma <n. bollettino> <gg/mm hh:mm>, ora italiana. Es.: /programma 12 05/12 08:30',
      'Uso: /programma <n. bollettino> <gg/mm hh:mm>, ora italiana. Es.: /programma 12 05/12 08:30',
    ]);
    expect(await row()).toMatchObject({ sendAt: fromRome(2026, 12, 20, 9, 30) });

    await t.say(redattore, '/programma 1 21/12 09:30');
    await t.say(stranger, '/programma 1 21/12 09:30');
    expect(t.sent().slice(-2)).toEqual([refusal('forbidden'), refusal('not_staff')]);
    expect(await row()).toMatchObject({ sendAt: fromRome(2026, 12, 20, 9, 30) });
  });

  it('/programmati lists what is scheduled, to move or cancel until it starts', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const first = await draft(t, 'Primo');
    await draft(t, 'Secondo');
    await draft(t, 'Mai programmato');
    await t.say(approvatore, '/programma 2 18/12 09:00');
    await t.say(approvatore, '/programma 1 17/12 09:00');
    await press(t, admin, { action: 'approve', bulletinId: 1, version: 1 }, first);

    await t.say(redattore, '/programmati');

    const list = t.api.calls('sendMessage').at(-1)!;
    expect(String(list.text)).toBe(
      [
        'Bollettini programmati (sposta o annulla finché non partono):',
        '• n. 1, approvato: giovedì 17/12/2026 alle 09:00. «Primo»',
        '• n. 2, da approvare: venerdì 18/12/2026 alle 09:00. «Secondo»',
      ].join('\n'),
    );
    expect(buttons(list.reply_markup)).toEqual([
      ['Sposta n. 1', 'schedule:1:1'],
      ['Annulla n. 1', 'unschedule:1'],
      ['Sposta n. 2', 'schedule:2:1'],
      ['Annulla n. 2', 'unschedule:2'],
    ]);
    const listing = t.api.results<Message>('sendMessage').at(-1)!;

    // Move n. 2 to Monday at 8 from the list: the list shows the quick choices, then itself again.
    await press(t, approvatore, { action: 'schedule', bulletinId: 2, version: 1 }, listing);
    const choices = t.api.calls('editMessageReplyMarkup').at(-1)!;
    expect(choices).toMatchObject({ message_id: listing.message_id });
    expect(buttons(choices.reply_markup).at(-1)).toEqual(['Indietro', 'scheduled:2']);
    await press(t, redattore, { action: 'scheduled', bulletinId: 2 }, listing);
    expect(t.api.calls('editMessageText').at(-1)).toMatchObject({
      message_id: listing.message_id,
      text: list.text,
      reply_markup: list.reply_markup,
    });
    await press(t, approvatore, { action: 'when', bulletinId: 2, version: 1, arg: 'm8' }, listing);
    expect(await row(2)).toMatchObject({ sendAt: fromRome(2026, 12, 21, 8, 0) });
    const relisted = t.api.calls('editMessageText').at(-1)!;
    expect(relisted).toMatchObject({ message_id: listing.message_id });
    expect(String(relisted.text)).toContain('• n. 2, da approvare: lunedì 21/12/2026 alle 08:00. «Secondo»');

    // Cancelling an approved bulletin's time sends it back for approval: nothing leaves early.
    await press(t, approvatore, { action: 'unschedule', bulletinId: 1 }, listing);
    expect(await row(1)).toMatchObject({
      state: 'pending',
      sendAt: null,
      approvedVersion: null,
      approvedHash: null,
    });
    expect(await queued(1)).toEqual([]);
    expect(answers(t).at(-1)).toBe('Programmazione annullata: il bollettino torna da approvare.');
    await press(t, approvatore, { action: 'unschedule', bulletinId: 2 }, listing);
    expect(await row(2)).toMatchObject({ state: 'pending', sendAt: null });
    expect(answers(t).at(-1)).toBe('Programmazione annullata: partirà appena approvato.');
    expect(String(t.api.calls('editMessageText').at(-1)!.text)).toBe('Nessun bollettino programmato.');
    const unscheduled = await ctx.db.select().from(auditLog).where(eq(auditLog.action, 'unschedule'));
    expect(unscheduled.map((e) => [e.bulletinId, (e.detail as { at: string }).at])).toEqual([
      [1, fromRome(2026, 12, 17, 9, 0).toISOString()],
      [2, fromRome(2026, 12, 21, 8, 0).toISOString()],
    ]);
  });

  it('cannot move or cancel a bulletin that has started', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const preview = await draft(t);
    await press(t, approvatore, { action: 'approve', bulletinId: 1, version: 1 }, preview);

    await press(t, approvatore, { action: 'when', bulletinId: 1, version: 1, arg: 't8' }, preview);
    await press(t, approvatore, { action: 'unschedule', bulletinId: 1 }, preview);
    await t.say(approvatore, '/programma 1 20/12 09:30');

    expect(await row()).toMatchObject({ state: 'sending', sendAt: null });
    const closed = refusal('bulletin_closed');
    expect(answers(t).slice(-2)).toEqual([closed, closed]);
    expect(t.sent().at(-1)).toBe(closed);
  });

  it('lets neither a redattore nor a person without a role schedule, mark urgent or cancel', async () => {
    const t = await arrange();
    clock(at(10, 0));
    const preview = await draft(t);
    await t.say(approvatore, '/programma 1 20/12 09:30');
    const before = await row();
    const presses: ButtonData[] = [
      { action: 'schedule', bulletinId: 1, version: 1 },
      { action: 'when', bulletinId: 1, version: 1, arg: 'h1' },
      { action: 'urgent', bulletinId: 1, version: 1 },
      { action: 'unschedule', bulletinId: 1 },
    ];

    for (const who of [redattore, stranger]) for (const data of presses) await press(t, who, data, preview);
    await press(t, stranger, { action: 'back', bulletinId: 1 }, preview);
    await press(t, stranger, { action: 'scheduled', bulletinId: 1 }, preview);

    expect(await row()).toEqual(before);
    expect(t.api.calls('editMessageReplyMarkup')).toEqual([]);
    const forbidden = refusal('forbidden');
    const notStaff = refusal('not_staff');
    expect(answers(t)).toEqual([
      ...presses.map(() => forbidden),
      ...presses.map(() => notStaff),
      notStaff,
      notStaff,
    ]);
  });
});

import { and, eq, sql } from 'drizzle-orm';
import type { Message, User } from 'grammy/types';
import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { setRole } from '../../src/core/staff.js';
import { auditLog, bulletins, bulletinVersions, deliveries } from '../../src/db/schema.js';
import { buttonData } from '../../src/telegram/callback-data.js';
import { refusal } from '../../src/telegram/texts.js';
import { callbackUpdate, person, textMessage, updateOf } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import {
  admin,
  approvatore,
  createTestBot,
  redattore,
  STAFF_CHAT,
  stranger,
  type TestBot,
} from './support.js';

const admins = [admin.id];
const secondApprovatore = person(21, 'Bea');

describeWithDatabase('approving, rejecting and withdrawing a bulletin', (ctx) => {
  async function arrange(env: Record<string, string> = {}) {
    for (const [who, role] of [
      [redattore, 'redattore'],
      [approvatore, 'approvatore'],
      [secondApprovatore, 'approvatore'],
    ] as const) {
      await setRole(ctx.db, { actorId: admin.id, targetId: who.id, role, adminIds: admins });
    }
    await seedSubscribers(ctx.db, 2);
    return createTestBot(ctx.db, env);
  }

  /** Drafts through /bozza and returns the preview message the group sees. */
  async function draft(t: TestBot, author: User, text = 'Avviso importante'): Promise<Message> {
    await t.say(author, `/bozza ${text}`);
    const preview = t.api.results<Message>('sendMessage').at(-1);
    if (!preview?.reply_markup) throw new Error('no preview was posted');
    return preview;
  }

  const press = (t: TestBot, from: User, data: string, message: Message) =>
    t.bot.handleUpdate(callbackUpdate({ from, data, message }));
  const approveV = (version?: number) =>
    buttonData({ action: 'approve', bulletinId: 1, ...(version === undefined ? {} : { version }) });
  const rejectV = (version = 1) => buttonData({ action: 'reject', bulletinId: 1, version });
  const withdrawData = buttonData({ action: 'withdraw', bulletinId: 1 });

  const bulletinRow = async () => (await ctx.db.select().from(bulletins).where(eq(bulletins.id, 1)))[0]!;
  const audit = (action: string) =>
    ctx.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(auditLog.id);
  const answers = (t: TestBot) => t.api.calls('answerCallbackQuery').map((p) => p.text);

  /** A second version, as a reply to the preview would make it (that is another feature's door). */
  async function newVersion(text: string) {
    await ctx.db.insert(bulletinVersions).values({
      bulletinId: 1,
      version: 2,
      text,
      body: { text, entities: [] },
      hashScheme: 'body',
      hash: 'hash-v2',
      authorId: redattore.id,
    });
    await ctx.db
      .update(bulletins)
      .set({ version: 2, text, body: { text, entities: [] } })
      .where(eq(bulletins.id, 1));
  }

  it('approves the version seen: its hash is kept, deliveries are queued and the preview is edited', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore, 'Domani mercato.');

    await press(t, approvatore, approveV(1), preview);

    const [v1] = await ctx.db.select().from(bulletinVersions);
    expect(await bulletinRow()).toMatchObject({
      state: 'sending',
      decidedBy: approvatore.id,
      approvedVersion: 1,
      approvedHash: v1!.hash,
    });
    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);
    expect(await audit('approve')).toEqual([
      expect.objectContaining({
        actorId: approvatore.id,
        version: 1,
        hash: v1!.hash,
        detail: expect.objectContaining({ name: 'Aldo' }),
      }),
    ]);
    expect(answers(t)).toEqual(['Approvato.']);
    expect(t.api.calls('editMessageText')).toEqual([
      expect.objectContaining({ message_id: preview.message_id }),
    ]);
  });

  it('leaves a bulletin with a future time approved until then, and starts one whose time has gone', async () => {
    const t = await arrange();
    const later = await draft(t, redattore, 'Più tardi');
    const gone = await draft(t, redattore, 'Già ora');
    const tomorrow = new Date(Date.now() + 86_400_000);
    await ctx.db.update(bulletins).set({ sendAt: tomorrow }).where(eq(bulletins.id, 1));
    await ctx.db
      .update(bulletins)
      .set({ sendAt: new Date(Date.now() - 60_000) })
      .where(eq(bulletins.id, 2));

    await press(t, approvatore, approveV(1), later);
    await press(t, approvatore, buttonData({ action: 'approve', bulletinId: 2, version: 1 }), gone);

    expect(await bulletinRow()).toMatchObject({ state: 'approved', sendAt: tomorrow });
    expect(await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, 1))).toEqual([]);
    const [second] = await ctx.db.select().from(bulletins).where(eq(bulletins.id, 2));
    expect(second).toMatchObject({ state: 'sending', sendAt: null });
    expect(await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, 2))).toHaveLength(2);
  });

  it('refuses an approval pressed on an older version, and one that names no version', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore, 'Prima versione');
    await newVersion('Seconda versione');

    await press(t, approvatore, approveV(1), preview);
    await press(t, approvatore, approveV(), preview);
    await press(t, approvatore, rejectV(1), preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending', approvedVersion: null });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    const stale =
      'Questa anteprima non è aggiornata: esiste una versione più recente del bollettino. Usa i pulsanti dell’ultima anteprima.';
    expect(refusal('stale_version')).toBe(stale);
    expect(answers(t)).toEqual([stale, stale, stale]);

    await press(t, approvatore, approveV(2), preview);
    expect(await bulletinRow()).toMatchObject({
      state: 'sending',
      approvedVersion: 2,
      approvedHash: 'hash-v2',
    });
  });

  it('gives one approval and one fan-out when two approvers press at once', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);

    await Promise.all([
      press(t, approvatore, approveV(1), preview),
      press(t, secondApprovatore, approveV(1), preview),
    ]);

    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);
    expect(await audit('approve')).toHaveLength(1);
    expect(answers(t).sort()).toEqual(['Approvato.', 'Questo bollettino è già stato deciso.']);
  });

  it('settles two approvals racing in separate transactions in SQL: one wins', async () => {
    await arrange();
    await createDraft(ctx.db, { authorId: redattore.id, text: 'Gara', adminIds: admins });
    const by = (who: User) =>
      approve(ctx.db, { bulletinId: 1, version: 1, userId: who.id, name: who.first_name, adminIds: admins });

    const results = await Promise.allSettled([by(approvatore), by(secondApprovatore), by(admin)]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);
    expect(await audit('approve')).toHaveLength(1);
    expect(await audit('send_start')).toHaveLength(1);
  });

  it('refuses self-approval, and allows it when REQUIRE_SECOND_APPROVER is false', async () => {
    const t = await arrange();
    const preview = await draft(t, approvatore);
    await press(t, approvatore, approveV(1), preview);
    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(answers(t)).toEqual([refusal('self_approval')]);

    const relaxed = createTestBot(ctx.db, { REQUIRE_SECOND_APPROVER: 'false' });
    await press(relaxed, approvatore, approveV(1), preview);
    expect(await bulletinRow()).toMatchObject({ state: 'sending', decidedBy: approvatore.id });
    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);
  });

  it('refuses an approver who wrote a later version (a reply to the preview); another approver may approve', async () => {
    const t = await arrange();
    const first = await draft(t, redattore);
    await t.bot.handleUpdate(
      updateOf(
        textMessage({ chatId: STAFF_CHAT, from: approvatore, text: 'Avviso corretto', replyTo: first }),
      ),
    );
    const second = t.api.results<Message>('sendMessage').at(-1)!;
    expect(await bulletinRow()).toMatchObject({ version: 2, authorId: redattore.id });

    await press(t, approvatore, approveV(2), second);
    expect(answers(t)).toEqual([refusal('self_approval')]);
    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);

    await press(t, secondApprovatore, approveV(2), second);
    expect(await bulletinRow()).toMatchObject({
      state: 'sending',
      decidedBy: secondApprovatore.id,
      approvedVersion: 2,
    });
  });

  it('lets the writer of a later version approve when REQUIRE_SECOND_APPROVER is false', async () => {
    const t = await arrange({ REQUIRE_SECOND_APPROVER: 'false' });
    const first = await draft(t, redattore);
    await t.bot.handleUpdate(
      updateOf(
        textMessage({ chatId: STAFF_CHAT, from: approvatore, text: 'Avviso corretto', replyTo: first }),
      ),
    );

    await press(t, approvatore, approveV(2), t.api.results<Message>('sendMessage').at(-1)!);

    expect(await bulletinRow()).toMatchObject({ state: 'sending', decidedBy: approvatore.id });
  });

  it('lets neither a redattore nor a person without a role decide anything', async () => {
    const t = await arrange();
    const preview = await draft(t, admin);

    await press(t, redattore, approveV(1), preview);
    await press(t, redattore, rejectV(1), preview);
    await press(t, redattore, withdrawData, preview);
    await press(t, stranger, approveV(1), preview);
    await press(t, stranger, rejectV(1), preview);
    await press(t, stranger, withdrawData, preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending', decidedBy: null });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    const forbidden = 'Il tuo ruolo non lo consente.';
    const notStaff = 'Non hai un ruolo nello staff.';
    expect(answers(t)).toEqual([forbidden, forbidden, forbidden, notStaff, notStaff, notStaff]);
    expect(t.api.calls('editMessageText')).toEqual([]);
    expect(t.sent()).toHaveLength(1);
  });

  it('asks for the reason on "Rifiuta", and the reply, even after a restart, rejects and tells the author', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore, 'Testo sbagliato');

    await press(t, approvatore, rejectV(1), preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    const ask = t.api.calls('sendMessage').at(-1)!;
    expect(String(ask.text)).toBe(
      'Scrivi il motivo del rifiuto del bollettino n. 1, rispondendo a questo messaggio (al massimo 300 caratteri). <a href="tg://user?id=20">Aldo</a>',
    );
    expect(ask).toMatchObject({ parse_mode: 'HTML', reply_markup: { force_reply: true, selective: true } });
    expect(answers(t)).toEqual(['Scrivi il motivo in risposta al messaggio del bot.']);
    const prompt = t.api.results<Message>('sendMessage').at(-1)!;

    // The bot restarts: the pending rejection is in the database, not in memory.
    const after = createTestBot(ctx.db);
    await after.say(approvatore, 'x'.repeat(301), { replyTo: prompt });
    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(after.sent()).toEqual([refusal('reason_too_long')]);

    await after.say(approvatore, 'La data è sbagliata: è il 12, non il 21.', { replyTo: prompt });

    expect(await bulletinRow()).toMatchObject({
      state: 'rejected',
      decidedBy: approvatore.id,
      rejectReason: 'La data è sbagliata: è il 12, non il 21.',
    });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    expect(await audit('reject')).toEqual([
      expect.objectContaining({
        actorId: approvatore.id,
        version: 1,
        detail: { name: 'Aldo', reason: 'La data è sbagliata: è il 12, non il 21.' },
      }),
    ]);
    const told = after.api.calls('sendMessage').at(-1)!;
    expect(String(told.text)).toMatch(
      /^<a href="tg:\/\/user\?id=10">[^<]+<\/a>, il bollettino n\. 1 è stato rifiutato da Aldo\.\nMotivo: La data è sbagliata: è il 12, non il 21\.$/,
    );
    expect(told).toMatchObject({
      parse_mode: 'HTML',
      reply_parameters: expect.objectContaining({ message_id: preview.message_id }),
    });
    expect(after.api.calls('editMessageText')).toEqual([
      expect.objectContaining({ message_id: preview.message_id }),
    ]);
  });

  it('refuses a reason from a redattore, and for a bulletin already approved', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);
    await press(t, approvatore, rejectV(1), preview);
    const prompt = t.api.results<Message>('sendMessage').at(-1)!;

    await t.say(redattore, 'Ma perché?', { replyTo: prompt });
    await press(t, secondApprovatore, approveV(1), preview);
    await t.say(approvatore, 'Troppo tardi', { replyTo: prompt });

    expect(await bulletinRow()).toMatchObject({ state: 'sending', rejectReason: null });
    expect(t.sent().slice(-2)).toEqual([refusal('forbidden'), refusal('bulletin_not_pending')]);
  });

  it('lets the author withdraw a pending bulletin, and an approvatore an approved scheduled one', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);
    const other = person(11, 'Otto');
    await setRole(ctx.db, { actorId: admin.id, targetId: other.id, role: 'redattore', adminIds: admins });

    await press(t, other, withdrawData, preview);
    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    await press(t, redattore, withdrawData, preview);

    expect(await bulletinRow()).toMatchObject({ state: 'withdrawn', decidedBy: redattore.id });
    expect(await audit('withdraw')).toEqual([
      expect.objectContaining({ actorId: redattore.id, detail: { name: 'Rita', from: 'pending' } }),
    ]);
    expect(answers(t)).toEqual([refusal('forbidden'), 'Ritirato: non sarà inviato.']);
    expect(t.api.calls('editMessageText')).toEqual([
      expect.objectContaining({ message_id: preview.message_id }),
    ]);

    const second = await draft(t, redattore, 'Programmato');
    await ctx.db.execute(
      sql`UPDATE bulletins SET state = 'approved', send_at = now() + interval '1 day' WHERE id = 2`,
    );
    await press(t, approvatore, buttonData({ action: 'withdraw', bulletinId: 2 }), second);
    const [row2] = await ctx.db.select().from(bulletins).where(eq(bulletins.id, 2));
    expect(row2).toMatchObject({ state: 'withdrawn' });
    expect(
      await ctx.db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.bulletinId, 2))),
    ).toEqual([]);
  });

  it('does not withdraw a bulletin that has started', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);
    await press(t, approvatore, approveV(1), preview);

    await press(t, redattore, withdrawData, preview);

    expect(await bulletinRow()).toMatchObject({ state: 'sending' });
    expect(answers(t).at(-1)).toBe('Questo bollettino è già partito o è chiuso: non si può più cambiare.');
  });

  it('treats unknown button data as nothing to do', async () => {
    const t = await arrange();
    const preview = await draft(t, redattore);

    await press(t, approvatore, 'approve:1;drop', preview);
    await press(t, approvatore, 'approve:999:1', preview);
    // A button of no feature (an older bot's) has its spinner stopped too.
    await press(t, approvatore, 'publish:1', preview);

    expect(await bulletinRow()).toMatchObject({ state: 'pending' });
    expect(t.api.calls('answerCallbackQuery')).toEqual([
      expect.not.objectContaining({ text: expect.anything() }),
      expect.objectContaining({ text: 'Bollettino non trovato.' }),
      expect.not.objectContaining({ text: expect.anything() }),
    ]);
  });
});

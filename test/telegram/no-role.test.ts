import { sql } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { rowsOf } from '../../src/db/client.js';
import { BUTTON_ACTIONS, buttonData } from '../../src/telegram/callback-data.js';
import { refusal, STAFF_COMMANDS } from '../../src/telegram/texts.js';
import { callbackUpdate, textMessage } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import { admin, createTestBot, OTHER_GROUP, STAFF_CHAT, stranger } from './support.js';

/** Plausible arguments for each command, so a refusal is not just a usage line. */
const ARGS: Record<string, string> = {
  bozza: 'Avviso di prova',
  programma: '1 01/12 09:00',
  ruolo: `${stranger.id} amministratore`,
  liste: 'crea prova',
  collega: '390551234567',
};

/** A plausible arg for each button that takes one. */
const BUTTON_ARGS: Partial<Record<(typeof BUTTON_ACTIONS)[number], string>> = {
  setcat: 'eventi',
  setlist: '1',
  when: 'h1',
};

const TABLES = [
  'bulletins',
  'bulletin_versions',
  'bulletin_lists',
  'deliveries',
  'media',
  'staff_members',
  'lists',
  'subscriptions',
  'subscribers',
  'audit_log',
  'bridge_state',
];

describeWithDatabase('every command and button, by a person without a role or from another chat', (ctx) => {
  async function snapshot(): Promise<string> {
    const parts: unknown[] = [];
    for (const table of TABLES) {
      parts.push(rowsOf(await ctx.db.execute(sql.raw(`SELECT * FROM ${table} ORDER BY 1, 2`))));
    }
    return JSON.stringify(parts);
  }

  async function arrange() {
    await seedSubscribers(ctx.db, 3);
    // Bulletin 1 pending, 2 sending (with deliveries), 3 sent, 4 approved and scheduled.
    for (const text of ['In attesa', 'In invio', 'Inviato', 'Programmato']) {
      await createDraft(ctx.db, { authorId: admin.id, text, adminIds: [admin.id] });
    }
    await ctx.db.execute(sql`UPDATE bulletins SET state = 'sending', started_at = now() WHERE id = 2`);
    await ctx.db.execute(sql`
      INSERT INTO deliveries (bulletin_id, subscriber_id, message_id)
      SELECT 2, id, '3EB0' || id FROM subscribers`);
    await ctx.db.execute(
      sql`UPDATE bulletins SET state = 'sent', started_at = now(), finished_at = now() WHERE id = 3`,
    );
    await ctx.db.execute(
      sql`UPDATE bulletins SET state = 'approved', send_at = now() + interval '1 day' WHERE id = 4`,
    );
  }

  it('changes nothing, answers only refusals, and sends no file, chart or register', async () => {
    await arrange();
    const before = await snapshot();
    const t = createTestBot(ctx.db);
    const staffMessage = (id: number) =>
      ({
        ...textMessage({ chatId: STAFF_CHAT, from: admin, text: `Bollettino ${id}` }),
        message_id: 5000 + id,
      }) as Message;
    const elsewhere = (message: Message) =>
      ({ ...message, chat: { id: OTHER_GROUP, type: 'supergroup', title: 'Altro' } }) as Message;

    for (const { command } of STAFF_COMMANDS) {
      const text = `/${command}${ARGS[command] ? ` ${ARGS[command]}` : ''}`;
      await t.say(stranger, text);
      await t.say(admin, text, { chatId: OTHER_GROUP });
      await t.say(admin, text, { chatId: admin.id });
      // A reply to a bulletin's preview (a new version) is also refused.
      await t.say(stranger, `${text} bis`, { replyTo: staffMessage(1) });
    }
    for (const action of BUTTON_ACTIONS) {
      for (const bulletinId of [1, 2, 3, 4]) {
        const arg = BUTTON_ARGS[action];
        const data = buttonData({ action, bulletinId, version: 1, ...(arg ? { arg } : {}) });
        const message = staffMessage(bulletinId);
        await t.bot.handleUpdate(callbackUpdate({ from: stranger, data, message }));
        await t.bot.handleUpdate(callbackUpdate({ from: admin, data, message: elsewhere(message) }));
      }
    }

    expect(await snapshot()).toBe(before);
    const notStaff = refusal('not_staff');
    const said = t.api.all.filter((c) => c.method === 'sendMessage').map((c) => String(c.payload.text));
    // Only refusals, or /aiuto telling the stranger how to get a role.
    for (const text of said)
      expect(text === notStaff || text.includes('Non hai ancora un ruolo') ? 'refusal' : text).toBe(
        'refusal',
      );
    for (const method of [
      'sendDocument',
      'sendPhoto',
      'sendVideo',
      'editMessageText',
      'editMessageCaption',
      'editMessageReplyMarkup',
      'deleteMessage',
    ]) {
      expect(t.api.calls(method)).toEqual([]);
    }
    for (const call of t.api.calls('answerCallbackQuery')) {
      expect([notStaff, 'Questo bot risponde solo nel gruppo dello staff.', undefined]).toContain(call.text);
    }
    // Nothing was said in the other group or privately.
    const chats = new Set(t.api.all.filter((c) => c.method === 'sendMessage').map((c) => c.payload.chat_id));
    expect([...chats]).toEqual([STAFF_CHAT]);
  });
});

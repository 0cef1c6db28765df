import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUpdate } from '../helpers/bot-api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { admin, createTestBot, STAFF_CHAT, stranger } from './support.js';

describe('an unexpected failure inside a handler', () => {
  let down: TestDatabase;
  beforeAll(async () => {
    down = await createTestDatabase('pglite');
    await down.close();
  });
  afterAll(async () => {
    await down.drop().catch(() => undefined);
  });

  it('is logged and answered briefly, and the bot goes on', async () => {
    const t = createTestBot(down.db);

    await expect(t.say(admin, '/iscritti')).resolves.toBeUndefined();
    await expect(t.say(stranger, '/aiuto')).resolves.toBeUndefined();

    expect(t.sent()).toEqual(['Si è verificato un errore, riprova.', 'Si è verificato un errore, riprova.']);
    const failures = t.lines.filter((line) => line.msg === 'update failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      level: 50,
      chat_id: STAFF_CHAT,
      user_id: admin.id,
      err: expect.any(Object),
    });
  });

  it('answers a button press with a short alert', async () => {
    const t = createTestBot(down.db);
    const preview = {
      message_id: 7,
      date: 0,
      chat: { id: STAFF_CHAT, type: 'supergroup', title: 'Staff' },
      text: 'Bollettino n. 1',
    } as Message;

    await expect(
      t.bot.handleUpdate(callbackUpdate({ from: admin, data: 'approve:1:1', message: preview })),
    ).resolves.toBeUndefined();

    expect(t.api.calls('answerCallbackQuery')).toEqual([
      expect.objectContaining({ text: 'Si è verificato un errore, riprova.', show_alert: true }),
    ]);
  });

  it('does not throw when Telegram refuses the answer too', async () => {
    const t = createTestBot(down.db);
    t.api.failNext('sendMessage', { error_code: 400, description: 'Bad Request: not enough rights' });

    await expect(t.say(admin, '/iscritti')).resolves.toBeUndefined();

    expect(t.api.calls('sendMessage')).toEqual([
      expect.objectContaining({ text: 'Si è verificato un errore, riprova.' }),
    ]);
    expect(t.lines.some((line) => line.msg === 'could not tell the user about the failure')).toBe(true);
  });
});

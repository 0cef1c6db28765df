import type { Message } from 'grammy/types';
import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { bulletins, deliveries, staffMembers } from '../../src/db/schema.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, createTestBot, OTHER_GROUP } from './support.js';

const admins = [admin.id];
const commands = ['/ruolo 20 approvatore', '/bozza Avviso', '/iscritti', '/aiuto', '/start'];

describeWithDatabase('the staff group guard', (ctx) => {
  it('ignores every command from another group or a private chat, even from an amministratore', async () => {
    const t = createTestBot(ctx.db);

    for (const chatId of [OTHER_GROUP, admin.id]) {
      for (const command of commands) await t.say(admin, command, { chatId });
    }

    // The other group is left; nothing is said or done anywhere.
    expect(t.api.all.filter((c) => c.method !== 'leaveChat')).toEqual([]);
    expect(await ctx.db.select().from(staffMembers)).toEqual([]);
    expect(await ctx.db.select().from(bulletins)).toEqual([]);
  });

  it('refuses a button pressed outside the staff group and decides nothing', async () => {
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    const t = createTestBot(ctx.db);
    await t.say(admin, '/bozza Avviso');
    const preview = t.api.results<Message>('sendMessage')[0]!;
    const elsewhere = { ...preview, chat: { id: OTHER_GROUP, type: 'supergroup' as const, title: 'Altro' } };

    await t.bot.handleUpdate(callbackUpdate({ from: approvatore, data: 'approve:1:1', message: elsewhere }));

    expect((await ctx.db.select().from(bulletins))[0]).toMatchObject({ state: 'pending' });
    expect(await ctx.db.select().from(deliveries)).toEqual([]);
    expect(t.api.calls('answerCallbackQuery')).toEqual([
      expect.objectContaining({ text: 'Questo bot risponde solo nel gruppo dello staff.' }),
    ]);
    expect(t.api.calls('editMessageText')).toEqual([]);
  });
});

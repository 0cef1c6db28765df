import type { Update } from 'grammy/types';
import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { auditLog, staffMembers } from '../../src/db/schema.js';
import { STAFF_COMMANDS } from '../../src/telegram/texts.js';
import { botInfo, textMessage } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import {
  admin,
  approvatore,
  createTestBot,
  OTHER_GROUP,
  redattore,
  STAFF_CHAT,
  stranger,
} from './support.js';

const admins = [admin.id];

describeWithDatabase('roles, /staff and /aiuto', (ctx) => {
  it('sets a role in reply to the person’s message, and /staff lists who holds what by name', async () => {
    const t = createTestBot(ctx.db);
    const theirs = textMessage({ chatId: STAFF_CHAT, from: approvatore, text: 'Eccomi' });
    await t.say(admin, '/ruolo approvatore', { replyTo: theirs });
    await t.say(admin, `/ruolo ${redattore.id} redattore`);

    await t.say(redattore, '/staff');

    expect(
      await ctx.db.select({ id: staffMembers.telegramId, role: staffMembers.role }).from(staffMembers),
    ).toEqual(
      expect.arrayContaining([
        { id: approvatore.id, role: 'approvatore' },
        { id: redattore.id, role: 'redattore' },
      ]),
    );
    expect(t.sent().at(-1)).toBe(
      [
        'Ruoli nello staff:',
        `amministratore: Anna (${admin.id}, da configurazione)`,
        `approvatore: Aldo (${approvatore.id})`,
        `redattore: Rita (${redattore.id})`,
      ].join('\n'),
    );
  });

  it('shows each person only the commands their role allows', async () => {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    const t = createTestBot(ctx.db);

    for (const who of [stranger, redattore, approvatore, admin]) await t.say(who, '/aiuto');

    const [none, writer, approver, administrator] = t.sent();
    expect(none).toContain('Non hai ancora un ruolo');
    expect(none).toContain(`/ruolo ${stranger.id} redattore`);
    expect(none).not.toContain('/bozza');
    expect(writer).toContain('/bozza');
    expect(writer).not.toContain('/programma <n>');
    expect(writer).not.toContain('/ruolo <id>');
    expect(approver).toContain('/programma <n>');
    expect(approver).toContain('/registro');
    expect(approver).not.toContain('/collega');
    for (const { command } of STAFF_COMMANDS) expect(administrator).toContain(`/${command}`);
  });

  it('refuses /staff to a person without a role', async () => {
    const t = createTestBot(ctx.db);
    await t.say(stranger, '/staff');
    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
  });
});

describeWithDatabase('other chats', (ctx) => {
  it('leaves a group it is added to, and any other group it hears from, without acting there', async () => {
    const t = createTestBot(ctx.db);
    const added: Update = {
      update_id: 900001,
      my_chat_member: {
        chat: { id: OTHER_GROUP, type: 'supergroup', title: 'Altro' },
        from: admin,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: 'left', user: botInfo },
        new_chat_member: { status: 'member', user: botInfo },
      },
    };
    await t.bot.handleUpdate(added);
    await t.say(admin, `/ruolo ${stranger.id} amministratore`, { chatId: OTHER_GROUP });
    await t.say(admin, `/ruolo ${stranger.id} amministratore`, { chatId: admin.id });

    expect(t.api.calls('leaveChat')).toEqual([{ chat_id: OTHER_GROUP }, { chat_id: OTHER_GROUP }]);
    expect(t.api.all.filter((c) => c.method !== 'leaveChat')).toEqual([]);
    expect(await ctx.db.select().from(staffMembers)).toEqual([]);
    expect(await ctx.db.select().from(auditLog)).toEqual([]);
  });

  it('does not try to leave the staff group or a chat it was removed from', async () => {
    const t = createTestBot(ctx.db);
    const removed: Update = {
      update_id: 900002,
      my_chat_member: {
        chat: { id: OTHER_GROUP, type: 'supergroup', title: 'Altro' },
        from: admin,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: 'member', user: botInfo },
        new_chat_member: { status: 'left', user: botInfo },
      },
    };
    await t.bot.handleUpdate(removed);
    await t.say(admin, '/aiuto');
    expect(t.api.calls('leaveChat')).toEqual([]);
  });
});

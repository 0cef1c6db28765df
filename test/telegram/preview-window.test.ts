import type { Message } from 'grammy/types';
import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { buttonData } from '../../src/telegram/callback-data.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, createTestBot, redattore } from './support.js';

describeWithDatabase('the preview names the configured sending window', (ctx) => {
  it('when drafted, and when redrawn after a decision or a schedule change', async () => {
    for (const [who, role] of [
      [redattore, 'redattore'],
      [approvatore, 'approvatore'],
    ] as const) {
      await setRole(ctx.db, { actorId: admin.id, targetId: who.id, role, adminIds: [admin.id] });
    }
    const t = createTestBot(ctx.db, { SEND_WINDOW: '07:30-21:00' });
    await t.say(redattore, '/bozza Domani mercato.');
    const preview = t.api.results<Message>('sendMessage').at(-1)!;
    expect(preview.text).toContain('Invio: appena approvato, nella fascia 07:30-21:00.');

    const data = buttonData({ action: 'urgent', bulletinId: 1, version: 1 });
    await t.bot.handleUpdate(callbackUpdate({ from: approvatore, data, message: preview }));

    const redrawn = t.api.calls('editMessageText').filter((c) => c.message_id === preview.message_id);
    expect(String(redrawn.at(-1)?.text)).toContain(
      'Invio: appena approvato, urgente (anche fuori dalla fascia 07:30-21:00).',
    );
  });
});

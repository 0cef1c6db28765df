import { expect, it } from 'vitest';
import { setRole } from '../../src/core/staff.js';
import { optIn, optOut } from '../../src/core/subscriptions.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore, stranger } from './support.js';

const admins = [admin.id];

describeWithDatabase('/iscritti', (ctx) => {
  it('answers the number of active subscribers to anyone on the staff', async () => {
    for (const n of [1, 2, 3]) {
      await optIn(ctx.db, { address: { lid: `${n}@lid` }, messageId: `M${n}`, privacyVersion: '1' });
    }
    await optOut(ctx.db, { address: { lid: '3@lid' } });
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    const t = createTestBot(ctx.db);

    await t.say(redattore, '/iscritti');

    expect(t.sent()).toEqual([]);
    expect(String(t.api.calls('sendPhoto')[0]?.caption)).toMatch(/^Iscritti attivi: 2\.\n/);
  });

  it('refuses a person without a role', async () => {
    await optIn(ctx.db, { address: { lid: '1@lid' }, messageId: 'M1', privacyVersion: '1' });
    const t = createTestBot(ctx.db);

    await t.say(stranger, '/iscritti');

    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
  });
});

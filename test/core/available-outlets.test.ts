import { expect, it } from 'vitest';
import { availableOutlets } from '../../src/core/whatsapp-channel.js';
import { whatsappChannel } from '../../src/db/schema.js';
import { describeWithDatabase } from '../helpers/db.js';

const configured = ['whatsapp', 'whatsapp_channel', 'archive'] as const;

describeWithDatabase('the outlets staff can choose', (ctx) => {
  it('offers the WhatsApp Channel only while one is set that the linked number may post in', async () => {
    expect(await availableOutlets(ctx.db, configured)).toEqual(['whatsapp', 'archive']);

    await ctx.db
      .insert(whatsappChannel)
      .values({ jid: '1203630@newsletter', name: 'Comune', role: 'SUBSCRIBER', followers: 3 });
    expect(await availableOutlets(ctx.db, configured)).toEqual(['whatsapp', 'archive']);

    await ctx.db.update(whatsappChannel).set({ role: 'OWNER' });
    expect(await availableOutlets(ctx.db, configured)).toEqual(['whatsapp', 'whatsapp_channel', 'archive']);
    // An installation that does not offer it (the Cloud API transport) never gets it.
    expect(await availableOutlets(ctx.db, ['whatsapp', 'archive'])).toEqual(['whatsapp', 'archive']);
  });
});

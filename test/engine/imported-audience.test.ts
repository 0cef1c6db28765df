import { eq, sql } from 'drizzle-orm';
import type { User } from 'grammy/types';
import { expect, it, vi } from 'vitest';
import { readContactsFile } from '../../src/core/contacts-file.js';
import { approve, withdraw } from '../../src/core/decisions.js';
import { confirmImport, prepareImport } from '../../src/core/import.js';
import { optIn } from '../../src/core/subscriptions.js';
import { bulletins, deliveries, subscribers } from '../../src/db/schema.js';
import { botInfo, callbackUpdate, textMessage } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { admin, createTestBot, STAFF_CHAT } from '../telegram/support.js';

const admins = [admin.id, 2];
const jid = (digits: string) => `${digits}@s.whatsapp.net`;

describeWithDatabase('the imported audience', (ctx) => {
  const wa = bridgeHarness(ctx);

  /** Imports `numbers` (one per CSV line) into the default list as the configured admin. */
  async function importNumbers(numbers: string[]) {
    const preview = await prepareImport(ctx.db, {
      actorId: admin.id,
      adminIds: admins,
      fileHash: `hash-${numbers.join('-')}`,
      file: readContactsFile(Buffer.from(`telefono\n${numbers.join('\n')}\n`)),
    });
    if (preview.outcome !== 'ready') throw new Error(`nothing to import: ${preview.outcome}`);
    await confirmImport(ctx.db, { actorId: admin.id, adminIds: admins, importId: preview.importId });
    return preview.importId;
  }

  const deliveredTo = async (bulletinId: number) =>
    (
      await ctx.db
        .select({ jid: subscribers.phoneJid })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .where(eq(deliveries.bulletinId, bulletinId))
    )
      .map((r) => r.jid)
      .sort();

  it('drafts the transition notice for approval, and it goes only to imported people never sent anything', async () => {
    await optIn(ctx.db, { address: { phoneJid: jid('393201112222') }, messageId: 'K', privacyVersion: '1' });
    const importId = await importNumbers(['3331110001', '3331110002', '3331110003', '3331110004']);
    // An ordinary bulletin went out before the notice: 0001 got it, 0002's failed, 0003's was cancelled.
    const earlier = await approvedBulletin(ctx.db, 'Avviso di prima');
    await ctx.db.execute(sql`
      UPDATE deliveries d SET state = CASE s.phone_jid
          WHEN ${jid('393331110001')} THEN 'sent'::delivery_state
          WHEN ${jid('393331110002')} THEN 'failed'::delivery_state
          WHEN ${jid('393331110003')} THEN 'cancelled'::delivery_state
          ELSE 'sent'::delivery_state END
      FROM subscribers s WHERE s.id = d.subscriber_id AND d.bulletin_id = ${earlier.id}`);
    // 0004 was never queued anything, as if that bulletin had gone before the import.
    await ctx.db.execute(sql`
      DELETE FROM deliveries WHERE subscriber_id = (SELECT id FROM subscribers WHERE phone_jid = ${jid('393331110004')})`);

    const t = createTestBot(ctx.db, {
      COMUNE_NAME: 'Comune di Greve in Chianti',
      PRIVACY_URL: 'https://greve.it/p',
    });
    const offer = textMessage({ chatId: STAFF_CHAT, from: botInfo as User, text: 'Importati 4 numeri' });
    await t.bot.handleUpdate(
      callbackUpdate({ from: admin, data: `import:notice:${importId}`, message: offer }),
    );

    const [notice] = await ctx.db
      .select()
      .from(bulletins)
      .where(eq(bulletins.audience, 'imported_unreached'));
    expect(notice).toMatchObject({
      state: 'pending',
      text:
        "D'ora in poi riceverai gli avvisi del Comune di Greve in Chianti da questo numero; scrivi *Cancella* per non riceverli più.\n" +
        'Per sapere quali dati teniamo scrivi *PRIVACY*. Informativa: https://greve.it/p',
    });
    const preview = t.sent().at(-1)!;
    expect(preview).toContain('Destinatari: Notizie del Comune (5 iscritti).');
    expect(preview).toContain('Solo chi è stato importato e non ha ancora ricevuto nulla: 3 persone.');

    // A second press cannot tell the same people twice.
    await t.bot.handleUpdate(
      callbackUpdate({ from: admin, data: `import:notice:${importId}`, message: offer }),
    );
    expect(t.api.calls('answerCallbackQuery').at(-1)).toMatchObject({
      text:
        'L’avviso di transizione di questo import è già stato preparato: cercalo più sopra. ' +
        'Se viene rifiutato o ritirato, se ne può preparare un altro.',
    });
    expect(
      await ctx.db.select().from(bulletins).where(eq(bulletins.audience, 'imported_unreached')),
    ).toHaveLength(1);

    const { queued } = await approve(ctx.db, {
      bulletinId: notice!.id,
      version: 1,
      userId: 2,
      name: 'Approvatore',
      adminIds: admins,
    });
    expect(queued).toBe(3);
    expect(await deliveredTo(notice!.id)).toEqual([
      jid('393331110002'),
      jid('393331110003'),
      jid('393331110004'),
    ]);
  });

  it('offers a new transition notice once the first was withdrawn', async () => {
    const importId = await importNumbers(['3331110001']);
    const t = createTestBot(ctx.db);
    const offer = textMessage({ chatId: STAFF_CHAT, from: botInfo as User, text: 'Importati 1 numero' });
    const pressNotice = () =>
      t.bot.handleUpdate(callbackUpdate({ from: admin, data: `import:notice:${importId}`, message: offer }));
    await pressNotice();
    const [first] = await ctx.db.select().from(bulletins);
    await withdraw(ctx.db, { bulletinId: first!.id, userId: admin.id, name: 'Anna', adminIds: admins });

    await pressNotice();

    const notices = await ctx.db.select().from(bulletins).orderBy(bulletins.id);
    expect(notices.map((b) => [b.state, b.audience])).toEqual([
      ['withdrawn', 'imported_unreached'],
      ['pending', 'imported_unreached'],
    ]);
  });

  it('checks each imported number with onWhatsApp before its first send; a landline not on WhatsApp is never written to', async () => {
    await importNumbers(['333 111 0001', '055 123 4567']);
    const { socket } = await wa.start();
    socket.notOnWhatsApp.add(jid('390551234567'));
    socket.open();

    const bulletin = await approvedBulletin(ctx.db, 'Primo avviso');

    await vi.waitFor(
      async () => {
        const [row] = await ctx.db.select({ state: bulletins.state }).from(bulletins);
        expect(row?.state).toBe('sent');
      },
      { timeout: 10_000 },
    );
    expect(socket.onWhatsAppChecks.sort()).toEqual([jid('390551234567'), jid('393331110001')]);
    expect(socket.sent.filter((m) => m.message).map((m) => m.jid)).toEqual([jid('393331110001')]);
    const [landline] = await ctx.db
      .select()
      .from(subscribers)
      .where(eq(subscribers.phoneJid, jid('390551234567')));
    expect(landline?.notOnWhatsappAt).toBeInstanceOf(Date);
    expect(await deliveredTo(bulletin.id)).toHaveLength(2);
  });
});

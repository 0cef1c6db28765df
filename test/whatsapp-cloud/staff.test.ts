import { sql } from 'drizzle-orm';
import type { Message, Update } from 'grammy/types';
import { expect, it } from 'vitest';
import { createDraft, getBulletin } from '../../src/core/bulletins.js';
import { completeFinishedBulletins } from '../../src/core/outbox.js';
import { setRole } from '../../src/core/staff.js';
import { deliveries } from '../../src/db/schema.js';
import { renderPreview } from '../../src/telegram/preview.js';
import { callbackUpdate } from '../helpers/bot-api.js';
import { cloudConfig, cloudEnv } from '../helpers/cloud.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';
import { admin, approvatore, createTestBot, STAFF_CHAT } from '../telegram/support.js';

const API_ROOT = 'http://127.0.0.1:9/v23.0';

describeWithDatabase('the staff side of the Cloud API transport', (ctx) => {
  it('/stato names the transport, the phone number id, the limit and today’s count; /collega does not apply', async () => {
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT, { WA_CLOUD_DAILY_LIMIT: '1000' }));
    await t.say(admin, '/stato');
    const status = t.sent()[0] ?? '';
    expect(status).toContain('Trasporto: API Cloud di WhatsApp');
    expect(status).toContain('Phone number id: 106540352242922.');
    expect(status).toContain('Limite giornaliero di Meta: 1000 persone in 24 ore; usate: 0.');
    await t.say(admin, '/collega 390551234567');
    expect(t.sent()[1]).toContain('/collega e il QR non servono');
  });

  it('refuses "Ritira" with the reason, and asks nothing', async () => {
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: [admin.id],
    });
    const t = createTestBot(ctx.db, cloudEnv(API_ROOT));
    await seedSubscribers(ctx.db, 1);
    const { id } = await approvedBulletin(ctx.db, 'Avviso.');
    await ctx.db.update(deliveries).set({ state: 'sent', sentAt: sql`now()` });
    await completeFinishedBulletins(ctx.db);
    const message = {
      message_id: 5,
      date: 0,
      chat: { id: STAFF_CHAT, type: 'supergroup', title: 'Staff' },
    } as Message;
    await t.bot.handleUpdate(callbackUpdate({ from: approvatore, data: `revoke:${id}`, message }) as Update);
    const answers = t.api.calls('answerCallbackQuery').map((p) => String(p.text));
    expect(answers.join('\n')).toContain('Meta non permette di cancellare un messaggio già inviato');
    expect((await getBulletin(ctx.db, id)).revokeRequestedAt).toBeNull();
  });

  it('the preview counts the template messages, estimates their cost and warns when the text will not fit', async () => {
    await seedSubscribers(ctx.db, 3);
    await ctx.db.execute(sql`
      INSERT INTO cloud_windows (subscriber_id, last_inbound_at) SELECT id, now() FROM subscribers WHERE id = 1`);
    const draft = await createDraft(ctx.db, {
      authorId: admin.id,
      text: 'Lavori in via Roma. '.repeat(60),
      adminIds: [admin.id],
    });
    const config = cloudConfig(API_ROOT, {
      WA_CLOUD_PRICE_PER_MESSAGE: '0,05',
      PUBLIC_BASE_URL: 'https://notizie.comune.example.it',
    });
    const { text } = await renderPreview(ctx.db, draft.id, config);
    expect(text).toContain(
      'API Cloud: 2 messaggi con il modello approvato (fuori dalla finestra di 24 ore), 1 come messaggio libero.',
    );
    expect(text).toContain('link alla pagina del bollettino nell’archivio');
    expect(text).toMatch(/Costo stimato: 2 × 0,05\s€ = 0,10\s€\./);
  });
});

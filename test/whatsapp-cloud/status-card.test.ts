import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { completeFinishedBulletins } from '../../src/core/outbox.js';
import type { OutletName } from '../../src/core/outlets.js';
import { deliveries, publications } from '../../src/db/schema.js';
import { type RunningBot, startBot } from '../../src/telegram/bot.js';
import { type BotApiServer, startBotApiServer } from '../helpers/bot-api.js';
import { cloudEnv } from '../helpers/cloud-env.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';
import { captureLogger, testConfig } from '../telegram/support.js';

const API_ROOT = 'http://127.0.0.1:9/v23.0';
const admins = [1, 2];

describeWithDatabase('the status card with the Cloud API', (ctx) => {
  let telegram: BotApiServer;
  let running: RunningBot | undefined;
  beforeEach(async () => {
    telegram = await startBotApiServer();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await telegram.close();
  });

  /** A bulletin sent to one subscriber over WhatsApp 1:1 and posted on the other outlets. */
  async function sentBulletin(outlets: OutletName[]) {
    await seedSubscribers(ctx.db, 1);
    const draft = await createDraft(ctx.db, { authorId: 1, adminIds: admins, text: 'Avviso.', outlets });
    await approve(ctx.db, { bulletinId: draft.id, version: 1, userId: 2, name: 'Aldo', adminIds: admins });
    await ctx.db.update(deliveries).set({ state: 'sent', sentAt: sql`now()` });
    await ctx.db.update(publications).set({ state: 'posted', externalId: '7', postedAt: sql`now()` });
    await completeFinishedBulletins(ctx.db);
  }

  /** The labels of the status card's buttons, once the card is posted. */
  async function statusButtons(): Promise<string[]> {
    running = await startBot({
      config: testConfig({ TELEGRAM_API_ROOT: telegram.apiRoot, ...cloudEnv(API_ROOT) }),
      database: ctx.database,
      logger: captureLogger().logger,
    });
    const card = () =>
      telegram.calls('sendMessage').find((call) => String(call.text).includes('stato dell’invio')) as
        | { reply_markup?: { inline_keyboard: { text: string }[][] } }
        | undefined;
    await vi.waitFor(() => expect(card()).toBeDefined());
    return (
      card()!
        .reply_markup?.inline_keyboard.flat()
        .map((button) => button.text) ?? []
    );
  }

  it('offers no "Ritira" when WhatsApp 1:1 is all there is to withdraw', async () => {
    await sentBulletin(['whatsapp']);
    expect(await statusButtons()).toEqual([]);
  });

  it('offers "Ritira" when another outlet’s post can be withdrawn', async () => {
    await sentBulletin(['whatsapp', 'telegram_channel']);
    expect(await statusButtons()).toEqual(['Ritira']);
  });
});

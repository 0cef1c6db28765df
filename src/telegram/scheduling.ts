import { Composer } from 'grammy';
import { excerpt, parseBody } from '../core/body.js';
import type { Bulletin } from '../core/bulletins.js';
import { getBulletin } from '../core/bulletins.js';
import { isQuickChoice, parseRomeTime, QUICK_CHOICES, quickChoiceTime, romeTime } from '../core/schedule.js';
import {
  checkSchedulable,
  scheduleBulletin,
  scheduledBulletins,
  toggleUrgent,
  unscheduleBulletin,
} from '../core/scheduling.js';
import { requireRole } from '../core/staff.js';
import type { Db } from '../db/client.js';
import { acknowledge, actorOf, pressed } from './approval.js';
import { actionPattern } from './callback-data.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { parseScheduleCommand } from './parse.js';
import { refreshPreview } from './preview.js';
import {
  quickChoicesKeyboard,
  scheduledAnswer,
  scheduledCommandAnswer,
  scheduledList,
  scheduledListKeyboard,
  scheduleUsage,
  unscheduledAnswer,
  urgentAnswer,
  whenText,
  windowText,
} from './texts.js';

const EXCERPT_LENGTH = 60;

async function renderScheduled(db: Db) {
  const rows = await scheduledBulletins(db);
  const items = rows.map((b) => ({
    bulletinId: b.id,
    version: b.version,
    approved: b.state === 'approved',
    urgent: b.urgent,
    when: whenText(romeTime(b.sendAt!)),
    excerpt: excerpt(parseBody(b.body), EXCERPT_LENGTH),
  }));
  return { text: scheduledList(items), keyboard: scheduledListKeyboard(items) };
}

/**
 * After a press, the message it came from shows the current state again: the preview through
 * refreshPreview, the /programmati list by rendering it anew.
 */
async function showAgain(ctx: BotContext, deps: FeatureDeps, bulletin: Bulletin): Promise<void> {
  const { db, config } = deps;
  await refreshPreview(ctx.api, db, ctx.chatId!, bulletin.id, ctx.logger, config);
  const messageId = ctx.callbackQuery?.message?.message_id;
  if (messageId === undefined || messageId === bulletin.previewMessageId) return;
  const { text, keyboard } = await renderScheduled(db);
  await ctx.api
    .editMessageText(ctx.chatId!, messageId, text, { reply_markup: keyboard })
    .catch((err: unknown) => ctx.logger.warn({ err }, 'could not update the scheduled list'));
}

/**
 * "Programma" (quick choices), "Urgente", "Annulla programmazione", `/programma <n> <gg/mm hh:mm>`
 * and `/programmati`. Times are Europe/Rome; the sending window moves starts, urgency lifts it.
 */
export function schedulingFeature(deps: FeatureDeps): Composer<BotContext> {
  const { db, config } = deps;
  const window = config.sendWindow;
  const feature = new Composer<BotContext>();

  const scheduledReply = (bulletin: Bulletin, requested: Date, startsAt: Date) =>
    scheduledAnswer({
      when: whenText(romeTime(startsAt)),
      moved: startsAt.getTime() !== requested.getTime(),
      window: windowText(window),
      pending: bulletin.state === 'pending',
    });

  feature.callbackQuery(actionPattern('schedule'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const bulletin = await checkSchedulable(db, actorOf(ctx, deps), data.bulletinId);
    const from = ctx.callbackQuery.message?.message_id === bulletin.previewMessageId ? 'preview' : 'list';
    await ctx.editMessageReplyMarkup({
      reply_markup: quickChoicesKeyboard(bulletin.id, bulletin.version, QUICK_CHOICES, from),
    });
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery(actionPattern('when'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    if (!isQuickChoice(data.arg)) {
      await ctx.answerCallbackQuery();
      return;
    }
    const at = quickChoiceTime(data.arg, new Date());
    const { bulletin, startsAt } = await scheduleBulletin(db, {
      ...actorOf(ctx, deps),
      bulletinId: data.bulletinId,
      at,
      window,
    });
    ctx.logger.info({ bulletin_id: bulletin.id, send_at: startsAt.toISOString() }, 'bulletin scheduled');
    await showAgain(ctx, deps, bulletin);
    await acknowledge(ctx, scheduledReply(bulletin, at, startsAt));
  });

  // "Indietro" under quick choices opened from /programmati: the list again, as it is now.
  feature.callbackQuery(actionPattern('scheduled'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    await requireRole(db, ctx.from.id, deps.adminIds, 'redattore');
    const { text, keyboard } = await renderScheduled(db);
    await ctx
      .editMessageText(text, { reply_markup: keyboard })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not update the scheduled list'));
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery(actionPattern('urgent'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const { bulletin, queued } = await toggleUrgent(db, {
      ...actorOf(ctx, deps),
      bulletinId: data.bulletinId,
      window,
    });
    ctx.logger.info({ bulletin_id: bulletin.id, urgent: bulletin.urgent, queued }, 'bulletin urgency set');
    await showAgain(ctx, deps, bulletin);
    await acknowledge(ctx, urgentAnswer(bulletin.urgent));
  });

  feature.callbackQuery(actionPattern('unschedule'), async (ctx) => {
    const data = await pressed(ctx);
    if (!data) return;
    const before = await getBulletin(db, data.bulletinId);
    const bulletin = await unscheduleBulletin(db, { ...actorOf(ctx, deps), bulletinId: data.bulletinId });
    ctx.logger.info({ bulletin_id: bulletin.id }, 'bulletin unscheduled');
    await showAgain(ctx, deps, bulletin);
    await acknowledge(ctx, unscheduledAnswer(before.state === 'approved' && bulletin.state === 'pending'));
  });

  feature.command('programma', async (ctx) => {
    // The role first: a person without one learns nothing, not even the usage.
    await requireRole(db, ctx.from!.id, deps.adminIds, 'approvatore');
    const now = new Date();
    const command = parseScheduleCommand(ctx.match);
    const at = command ? parseRomeTime(command.time, now) : undefined;
    if (!command || !at) {
      await answer(ctx, scheduleUsage());
      return;
    }
    const { bulletin, startsAt } = await scheduleBulletin(db, {
      ...actorOf(ctx, deps),
      bulletinId: command.bulletinId,
      at,
      window,
      now,
    });
    ctx.logger.info({ bulletin_id: bulletin.id, send_at: startsAt.toISOString() }, 'bulletin scheduled');
    await refreshPreview(ctx.api, db, ctx.chatId, bulletin.id, ctx.logger, config);
    await answer(ctx, scheduledCommandAnswer(bulletin.id, scheduledReply(bulletin, at, startsAt)));
  });

  feature.command('programmati', async (ctx) => {
    await requireRole(db, ctx.from!.id, deps.adminIds, 'redattore');
    const { text, keyboard } = await renderScheduled(db);
    await ctx.reply(text, { reply_markup: keyboard });
  });

  return feature;
}

import { Composer, InputFile } from 'grammy';
import { requireRole } from '../core/staff.js';
import { joinSources, listStatistics, subscriberSeries } from '../core/statistics.js';
import { countActiveSubscribers } from '../core/subscriptions.js';
import { whatsappChannelInfo } from '../core/whatsapp-channel.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { channelFollowersLine, chartCaption, joinSourcesLine, subscriberStats } from './texts.js';

/** Telegram's limit for a photo caption. */
const MAX_CAPTION = 1024;

/**
 * `/iscritti`: anyone on the staff sees how many people are subscribed, per list, who joined and
 * left today, in 7 and in 30 days, how many joined by keyword and by import, and a chart of the last 90 days. Without the chart (a rendering
 * failure) the numbers still go out.
 */
export function subscribersFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('iscritti', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    const now = new Date();
    const followers = channelFollowersLine(await whatsappChannelInfo(db));
    const text = `${subscriberStats({
      people: await countActiveSubscribers(db),
      lists: await listStatistics(db, now),
    })}\n${joinSourcesLine(await joinSources(db))}${followers ? `\n${followers}` : ''}`;
    let png: Buffer;
    try {
      const started = performance.now();
      // ECharts and resvg load on the first chart, not at start-up (a second of the 3 s to /healthz).
      const { subscribersChartPng } = await import('./chart.js');
      png = await subscribersChartPng(await subscriberSeries(db, now));
      ctx.logger.info({ ms: Math.round(performance.now() - started), bytes: png.length }, 'chart rendered');
    } catch (err) {
      ctx.logger.error({ err }, 'could not draw the subscribers chart');
      await answer(ctx, text);
      return;
    }
    const photo = new InputFile(png, 'iscritti.png');
    if (text.length <= MAX_CAPTION) {
      await ctx.replyWithPhoto(photo, { caption: text });
      return;
    }
    await answer(ctx, text);
    await ctx.replyWithPhoto(photo, { caption: chartCaption() });
  });
  return feature;
}

import { Composer } from 'grammy';
import { requireRole } from '../core/staff.js';
import { countActiveSubscribers } from '../core/subscriptions.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { activeSubscribers } from './texts.js';

/** `/iscritti`: anyone on the staff sees how many people are subscribed. */
export function subscribersFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('iscritti', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    await answer(ctx, activeSubscribers(await countActiveSubscribers(db)));
  });
  return feature;
}

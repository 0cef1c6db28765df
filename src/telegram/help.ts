import { Composer } from 'grammy';
import { roleOf } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { help } from './texts.js';

/** `/aiuto` and `/start`: the commands, and the asker's own id and role (admins need ids for /ruolo). */
export function helpFeature({ db, adminIds, config }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command(['aiuto', 'start'], async (ctx) => {
    const userId = ctx.from!.id;
    const role = await roleOf(db, userId, adminIds);
    await answer(ctx, help({ userId, role, transport: config.waTransport }));
  });
  return feature;
}

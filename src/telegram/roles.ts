import { Composer } from 'grammy';
import { setRole } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { parseRoleCommand } from './parse.js';
import { roleChanged, roleUsage } from './texts.js';

/** `/ruolo`: an amministratore grants, changes or removes a staff role. */
export function rolesFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('ruolo', async (ctx) => {
    const parsed = parseRoleCommand(ctx.match, ctx.msg.reply_to_message?.from?.id);
    if (!parsed) {
      await answer(ctx, roleUsage());
      return;
    }
    await setRole(db, { actorId: ctx.from!.id, targetId: parsed.targetId, role: parsed.role, adminIds });
    ctx.logger.info({ target_id: parsed.targetId, role: parsed.role }, 'role changed');
    await answer(ctx, roleChanged(parsed.targetId, parsed.role));
  });
  return feature;
}

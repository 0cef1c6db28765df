import { Composer } from 'grammy';
import { listStaff, requireRole, setRole } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { parseRoleCommand } from './parse.js';
import { roleChanged, roleUsage, staffList } from './texts.js';

/**
 * `/ruolo`: an amministratore grants, changes or removes a staff role (by id, or in reply to the
 * person's message). `/staff`: anyone on the staff sees who holds what, by name as the group shows it.
 */
export function rolesFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('ruolo', async (ctx) => {
    // The role first: a person without one is told so, not shown how the command works.
    await requireRole(db, ctx.from!.id, adminIds, 'amministratore');
    const parsed = parseRoleCommand(ctx.match, ctx.msg.reply_to_message?.from?.id);
    if (!parsed) {
      await answer(ctx, roleUsage());
      return;
    }
    await setRole(db, { actorId: ctx.from!.id, targetId: parsed.targetId, role: parsed.role, adminIds });
    ctx.logger.info({ target_id: parsed.targetId, role: parsed.role }, 'role changed');
    await answer(ctx, roleChanged(parsed.targetId, parsed.role));
  });
  feature.command('staff', async (ctx) => {
    const members = await listStaff(db, ctx.from!.id, adminIds);
    const named = await Promise.all(
      members.map(async (member) => {
        // The name as the group shows it now; someone who left the group keeps their id only.
        const name = await ctx.api
          .getChatMember(ctx.chatId!, member.telegramId)
          .then((m) => m.user.first_name)
          .catch(() => `id ${member.telegramId}`);
        return { ...member, name };
      }),
    );
    await answer(ctx, staffList(named));
  });
  return feature;
}

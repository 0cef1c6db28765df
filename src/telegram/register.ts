import { Composer, InputFile } from 'grammy';
import { auditRegister } from '../core/audit.js';
import { recentBulletins } from '../core/history.js';
import { requireRole } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { registerCsv } from './register-csv.js';
import { bulletinHistory, registerCaption, registerFileName } from './texts.js';

/**
 * `/storico`: the latest bulletins and their state, for anyone on the staff. `/registro`: the whole
 * audit register as a CSV file, for approvers and admins: they answer for what was sent, and the
 * file holds staff ids and every decision, which a redattore has no need to export.
 */
export function registerFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('storico', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    await answer(ctx, bulletinHistory(await recentBulletins(db), new Date()));
  });
  feature.command('registro', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'approvatore');
    const rows = await auditRegister(db);
    const now = new Date();
    ctx.logger.info({ entries: rows.length }, 'register exported');
    await ctx.replyWithDocument(new InputFile(registerCsv(rows), registerFileName(now)), {
      caption: registerCaption(rows.length),
    });
  });
  return feature;
}

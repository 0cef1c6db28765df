import { Composer } from 'grammy';
import { getBulletin } from '../core/bulletins.js';
import { pauseBulletin, requestRevoke, resumeBulletin, stopBulletin } from '../core/control.js';
import { DomainError } from '../core/errors.js';
import { requireRole } from '../core/staff.js';
import { withinRevokeWindow } from '../core/status.js';
import { actionPattern, parseButtonData } from './callback-data.js';
import type { BotContext, FeatureDeps } from './context.js';
import { statusAnswers } from './texts.js';

/**
 * The status message's buttons: "Pausa", "Riprendi", "Ferma" while it sends, "Ritira" once sent.
 * Only the id is read from the button; core checks the presser's role and the bulletin's state in
 * the transaction that acts. The status message itself is edited by the status updater.
 */
export function statusButtonsFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.callbackQuery(actionPattern('pause', 'resume', 'stop', 'revoke'), async (ctx) => {
    const data = parseButtonData(ctx.callbackQuery.data);
    if (!data || !(data.action in statusAnswers)) {
      await ctx.answerCallbackQuery();
      return;
    }
    const action = data.action as keyof typeof statusAnswers;
    const input = { bulletinId: data.bulletinId, actorId: ctx.from.id, adminIds };
    switch (action) {
      case 'pause':
        await pauseBulletin(db, input);
        break;
      case 'resume':
        await resumeBulletin(db, input);
        break;
      case 'stop':
        await stopBulletin(db, input);
        break;
      case 'revoke': {
        await requireRole(db, input.actorId, adminIds, 'approvatore');
        const bulletin = await getBulletin(db, input.bulletinId);
        if (!withinRevokeWindow(bulletin.finishedAt, new Date())) throw new DomainError('revoke_too_late');
        await requestRevoke(db, input);
        break;
      }
    }
    ctx.logger.info({ bulletin_id: data.bulletinId, action }, 'sending changed from the status message');
    await ctx
      .answerCallbackQuery({ text: statusAnswers[action] })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer the button press'));
  });
  return feature;
}

import { Composer } from 'grammy';
import { getBulletin } from '../core/bulletins.js';
import { pauseBulletin, requestRevoke, resumeBulletin, stopBulletin } from '../core/control.js';
import { DomainError } from '../core/errors.js';
import { requireRole } from '../core/staff.js';
import { withinRevokeWindow } from '../core/status.js';
import { actionPattern, parseButtonData } from './callback-data.js';
import type { BotContext, FeatureDeps } from './context.js';
import { CONFIRM_SECONDS, confirmAnswers, statusAnswers } from './texts.js';

type StatusAction = keyof typeof statusAnswers;

/**
 * Checks, before asking to confirm, what the action itself will check again: the role, and that
 * the bulletin can still be stopped or withdrawn. A refusal comes at the first press.
 */
async function checkIrreversible(
  deps: FeatureDeps,
  action: 'stop' | 'revoke',
  actorId: number,
  bulletinId: number,
) {
  await requireRole(deps.db, actorId, deps.adminIds, 'approvatore');
  const bulletin = await getBulletin(deps.db, bulletinId);
  if (action === 'stop') {
    if (bulletin.state !== 'sending') throw new DomainError('bulletin_not_sending');
    return;
  }
  // The Cloud API has no delete: refused before anything is asked or recorded.
  if (deps.config.waTransport === 'cloud') throw new DomainError('revoke_not_supported');
  const revocable =
    ['sending', 'sent', 'stopped'].includes(bulletin.state) && bulletin.revokeRequestedAt === null;
  if (!revocable) throw new DomainError('bulletin_not_sent');
  if (!withinRevokeWindow(bulletin.finishedAt, new Date())) throw new DomainError('revoke_too_late');
}

/**
 * The status message's buttons: "Pausa", "Riprendi", "Ferma" while it sends, "Ritira" once sent.
 * Only the id is read from the button; core checks the presser's role and the bulletin's state in
 * the transaction that acts. "Ferma" and "Ritira" cannot be undone, so they act on a second press
 * by the same person within a few seconds. The status message itself is edited by the status
 * updater.
 */
export function statusButtonsFeature(deps: FeatureDeps): Composer<BotContext> {
  const { db, adminIds } = deps;
  const armed = new Map<string, number>();

  /** True on the confirming press; the first press arms it. */
  function confirmed(key: string): boolean {
    const now = Date.now();
    for (const [k, at] of armed) if (now - at > CONFIRM_SECONDS * 1000) armed.delete(k);
    if (armed.delete(key)) return true;
    armed.set(key, now);
    return false;
  }

  const feature = new Composer<BotContext>();
  feature.callbackQuery(actionPattern('pause', 'resume', 'stop', 'revoke'), async (ctx) => {
    const data = parseButtonData(ctx.callbackQuery.data);
    if (!data || !(data.action in statusAnswers)) {
      await ctx.answerCallbackQuery();
      return;
    }
    const action = data.action as StatusAction;
    const input = { bulletinId: data.bulletinId, actorId: ctx.from.id, adminIds };
    if (action === 'stop' || action === 'revoke') {
      await checkIrreversible(deps, action, input.actorId, input.bulletinId);
      if (!confirmed(`${input.actorId}:${action}:${input.bulletinId}`)) {
        await ctx.answerCallbackQuery({ text: confirmAnswers[action], show_alert: true });
        return;
      }
    }
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
      case 'revoke':
        await requestRevoke(db, input);
        break;
    }
    ctx.logger.info({ bulletin_id: data.bulletinId, action }, 'sending changed from the status message');
    await ctx
      .answerCallbackQuery({ text: statusAnswers[action] })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'could not answer the button press'));
  });
  return feature;
}

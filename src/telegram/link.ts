import { Composer } from 'grammy';
import { listActiveRoles } from '../core/active-roles.js';
import { bridgeStatus, requestPairing } from '../core/bridge-state.js';
import { DomainError } from '../core/errors.js';
import { resumeSending } from '../core/send-control.js';
import { requireRole } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import {
  activeRolesText,
  bridgeStatusText,
  linkUsage,
  pairingRequested,
  queueNotPaused,
  queueResumed,
} from './texts.js';

/** The Comune's number as WhatsApp wants it for a pairing code: digits only, with the country code. */
export function parsePhoneNumber(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^\+?[\d\s.()/-]+$/.test(trimmed)) throw new DomainError('invalid_phone_number');
  const digits = trimmed.replace(/\D/g, '').replace(/^00/, '');
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) {
    throw new DomainError('invalid_phone_number');
  }
  return digits;
}

/**
 * `/stato` (anyone on the staff): the link, the linked number, the queue, the last send, why
 * sending is paused, and which machine runs the bot and the bridge. `/collega <numero>`
 * (amministratore): link by pairing code instead of the QR. `/riprendi` (approvatore): resume sending after a pause.
 */
export function linkFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('stato', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    const [status, roles] = await Promise.all([bridgeStatus(db), listActiveRoles(db)]);
    await answer(ctx, [bridgeStatusText(status), ...activeRolesText(roles)].join('\n'));
  });

  feature.command('collega', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'amministratore');
    const number = parsePhoneNumber(ctx.match);
    if (!number) {
      await answer(ctx, linkUsage());
      return;
    }
    if ((await bridgeStatus(db)).link === 'open') throw new DomainError('already_linked');
    await requestPairing(db, number);
    ctx.logger.info('pairing code requested');
    await answer(ctx, pairingRequested());
  });

  feature.command('riprendi', async (ctx) => {
    const resumed = await resumeSending(db, { actorId: ctx.from!.id, adminIds });
    await answer(ctx, resumed ? queueResumed() : queueNotPaused());
  });

  return feature;
}

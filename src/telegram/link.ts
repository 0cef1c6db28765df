import { Composer, InlineKeyboard } from 'grammy';
import { listActiveRoles } from '../core/active-roles.js';
import { bridgeStatus } from '../core/bridge-state.js';
import { messagingTier } from '../core/cloud-account.js';
import { cloudCounts } from '../core/cloud-sends.js';
import { DomainError } from '../core/errors.js';
import { confirmLinkedNumber, requestPairing } from '../core/link.js';
import { outletHealthList } from '../core/outlet-health.js';
import { resumeSending } from '../core/send-control.js';
import { requireRole } from '../core/staff.js';
import { whatsappChannelInfo } from '../core/whatsapp-channel.js';
import { actionPattern, buttonData, parseButtonData } from './callback-data.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import {
  activeRolesText,
  bridgeStatusText,
  cloudStatusLines,
  cloudTierLine,
  confirmNumberButton,
  linkNotNeeded,
  linkUsage,
  numberConfirmed,
  outletHealthLines,
  pairingRequested,
  queueNotPaused,
  queueResumed,
} from './texts.js';

/** The button under the "new number" notice: it names the number it confirms. */
export function confirmNumberKeyboard(number: string): InlineKeyboard {
  const digits = number.split('@')[0]!;
  return new InlineKeyboard().text(
    confirmNumberButton(number),
    buttonData({ action: 'linkok', bulletinId: 0, arg: digits }),
  );
}

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
 * sending is paused, each outlet's health, and which machine runs the bot and the bridge. `/collega <numero>`
 * (amministratore): link by pairing code instead of the QR. `/riprendi` (approvatore): resume sending after a pause.
 */
export function linkFeature({ db, adminIds, config }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('stato', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    const [status, roles, channel, health] = await Promise.all([
      bridgeStatus(db),
      listActiveRoles(db),
      whatsappChannelInfo(db),
      outletHealthList(db),
    ]);
    const outlets = outletHealthLines({ outlets: config.outlets ?? [], health, channel });
    const cloud = config.whatsappCloud
      ? [
          ...cloudStatusLines(config.whatsappCloud, await cloudCounts(db)),
          ...cloudTierLine(await messagingTier(db), config.whatsappCloud.dailyLimit),
        ]
      : [];
    await answer(ctx, [bridgeStatusText(status), ...cloud, ...outlets, ...activeRolesText(roles)].join('\n'));
  });

  feature.command('collega', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'amministratore');
    if (config.waTransport === 'cloud') {
      await answer(ctx, linkNotNeeded());
      return;
    }
    const number = parsePhoneNumber(ctx.match);
    if (!number) {
      await answer(ctx, linkUsage());
      return;
    }
    await requestPairing(db, { actorId: ctx.from!.id, adminIds, phoneNumber: number });
    ctx.logger.info('pairing code requested');
    await answer(ctx, pairingRequested());
  });

  feature.command('riprendi', async (ctx) => {
    const resumed = await resumeSending(db, { actorId: ctx.from!.id, adminIds });
    await answer(ctx, resumed ? queueResumed() : queueNotPaused());
  });

  // "Conferma il numero +39…": core re-checks the role and that this very number still waits.
  feature.callbackQuery(actionPattern('linkok'), async (ctx) => {
    // A button left from the Baileys days: with the Cloud API there is no linked phone to confirm.
    if (config.waTransport === 'cloud') {
      await ctx.answerCallbackQuery({ text: linkNotNeeded() });
      return;
    }
    const data = parseButtonData(ctx.callbackQuery.data);
    if (!data?.arg || !/^\d{6,15}$/.test(data.arg)) {
      await ctx.answerCallbackQuery();
      return;
    }
    const number = `${data.arg}@s.whatsapp.net`;
    await confirmLinkedNumber(db, { actorId: ctx.from.id, adminIds, number });
    ctx.logger.info('new WhatsApp number confirmed');
    await ctx.answerCallbackQuery({ text: numberConfirmed(number) });
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => {});
    await answer(ctx, numberConfirmed(number));
  });

  return feature;
}

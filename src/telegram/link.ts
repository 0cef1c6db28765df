import { Composer, InlineKeyboard } from 'grammy';
import { recordAudit } from '../core/audit.js';
import { bridgeStatus } from '../core/bridge-state.js';
import { DomainError } from '../core/errors.js';
import { confirmLinkedNumber, requestPairing, unconfirmedNumber } from '../core/link.js';
import { resumeQueue } from '../core/send-control.js';
import { requireRole } from '../core/staff.js';
import { actionPattern, buttonData, parseButtonData } from './callback-data.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import {
  bridgeStatusText,
  confirmNumberButton,
  linkUsage,
  numberConfirmed,
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
 * `/stato` (anyone on the staff): the link, the linked number, the queue, the last send and why
 * sending is paused. `/collega <numero>` (amministratore): link by pairing code instead of the QR.
 * `/riprendi` (approvatore): resume sending after a pause.
 */
export function linkFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('stato', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'redattore');
    await answer(ctx, bridgeStatusText(await bridgeStatus(db)));
  });

  feature.command('collega', async (ctx) => {
    await requireRole(db, ctx.from!.id, adminIds, 'amministratore');
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
    const actorId = ctx.from!.id;
    await requireRole(db, actorId, adminIds, 'approvatore');
    const resumed = await db.transaction(async (tx) => {
      // A new number's hold is lifted by an amministratore's confirmation, not by /riprendi.
      if (await unconfirmedNumber(tx)) throw new DomainError('number_unconfirmed');
      if (!(await resumeQueue(tx))) return false;
      await recordAudit(tx, { actorId, action: 'queue_resume' });
      return true;
    });
    await answer(ctx, resumed ? queueResumed() : queueNotPaused());
  });

  // "Conferma il numero +39…": core re-checks the role and that this very number still waits.
  feature.callbackQuery(actionPattern('linkok'), async (ctx) => {
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

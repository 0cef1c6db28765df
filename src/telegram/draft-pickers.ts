import { Composer, InlineKeyboard } from 'grammy';
import { bulletinOutlets, inOutletOrder } from '../core/bulletin-outlets.js';
import { getBulletin } from '../core/bulletins.js';
import { CATEGORIES, isCategory } from '../core/compose.js';
import { OUTLET_NAMES, type OutletName } from '../core/outlets.js';
import { requireRole } from '../core/staff.js';
import { toggleTargetOutlet } from '../core/target-outlets.js';
import {
  pendingDraft,
  setCategory,
  type TargetList,
  targetLists,
  toggleTargetList,
} from '../core/versions.js';
import { availableOutlets } from '../core/whatsapp-channel.js';
import {
  actionPattern,
  type ButtonAction,
  type ButtonData,
  buttonData,
  parseButtonData,
} from './callback-data.js';
import type { BotContext, FeatureDeps } from './context.js';
import { previewKeyboard, refreshPreview } from './preview.js';
import {
  categoryChosen,
  DRAFT_LABELS,
  listToggled,
  OUTLET_LABELS,
  OUTLET_UNAVAILABLE,
  outletToggled,
} from './texts.js';

/** The category picker: seven categories two a row, "Nessuna", "Indietro"; the current one ticked. */
export function categoryKeyboard(
  bulletinId: number,
  version: number,
  current: string | null,
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const tick = (label: string, on: boolean) => (on ? `${DRAFT_LABELS.chosen} ${label}` : label);
  Object.entries(CATEGORIES).forEach(([key, label], i) => {
    keyboard.text(
      tick(label, current === key),
      buttonData({ action: 'setcat', bulletinId, version, arg: key }),
    );
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard
    .row()
    .text(
      tick(DRAFT_LABELS.noCategory, current === null),
      buttonData({ action: 'setcat', bulletinId, version, arg: 'none' }),
    )
    .text(DRAFT_LABELS.back, buttonData({ action: 'back', bulletinId, version }));
}

/** The list picker: every active list with its subscribers, the chosen ones ticked. */
export function listsKeyboard(bulletinId: number, version: number, lists: TargetList[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const list of lists) {
    const label = `${list.chosen ? `${DRAFT_LABELS.chosen} ` : ''}${list.name} (${list.members})`;
    keyboard.text(label, buttonData({ action: 'setlist', bulletinId, version, arg: String(list.id) })).row();
  }
  return keyboard.text(DRAFT_LABELS.back, buttonData({ action: 'back', bulletinId, version }));
}

/**
 * The outlet picker ("Canali"): every outlet that can publish now, the chosen ones ticked; one
 * chosen earlier that no longer can stays listed, marked, so it can be taken off.
 */
export function outletsKeyboard(
  bulletinId: number,
  version: number,
  available: readonly OutletName[],
  chosen: readonly OutletName[],
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const outlet of inOutletOrder([...available, ...chosen])) {
    const tick = chosen.includes(outlet) ? `${DRAFT_LABELS.chosen} ` : '';
    const gone = available.includes(outlet) ? '' : ` ${OUTLET_UNAVAILABLE}`;
    keyboard
      .text(
        `${tick}${OUTLET_LABELS[outlet]}${gone}`,
        buttonData({ action: 'setoutlet', bulletinId, version, arg: outlet }),
      )
      .row();
  }
  return keyboard.text(DRAFT_LABELS.back, buttonData({ action: 'back', bulletinId, version }));
}

/**
 * The preview's drafting buttons: "Categoria", "Liste" and "Canali" open a picker in place of the buttons;
 * a choice is made in core, which re-checks the presser's role, the bulletin's state and the
 * preview's version; "Indietro" shows the state's buttons again.
 */
export function draftPickersFeature(deps: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  /** One button's presses; data that is not exactly one of our buttons is answered and ignored. */
  const on = (action: ButtonAction, handle: (ctx: BotContext, data: ButtonData) => Promise<unknown>) =>
    feature.callbackQuery(actionPattern(action), async (ctx) => {
      const data = parseButtonData(ctx.callbackQuery.data);
      if (!data) return ctx.answerCallbackQuery();
      await handle(ctx, data);
    });
  const actor = (ctx: BotContext) => ({ actorId: ctx.from!.id, adminIds: deps.adminIds });

  /** Opening a picker changes nothing, but it opens only where a choice could be made. */
  const openable = (ctx: BotContext, data: ButtonData) =>
    pendingDraft(deps.db, { ...actor(ctx), bulletinId: data.bulletinId, version: data.version });

  on('category', async (ctx, data) => {
    const bulletin = await openable(ctx, data);
    await ctx.editMessageReplyMarkup({
      reply_markup: categoryKeyboard(bulletin.id, bulletin.version, bulletin.category),
    });
    await ctx.answerCallbackQuery();
  });

  on('setcat', async (ctx, data) => {
    const category = data.arg === 'none' ? null : isCategory(data.arg) ? data.arg : undefined;
    if (category === undefined) return ctx.answerCallbackQuery();
    const { bulletin } = await setCategory(deps.db, {
      ...actor(ctx),
      actorName: ctx.from!.first_name,
      bulletinId: data.bulletinId,
      version: data.version,
      category,
    });
    ctx.logger.info({ bulletin_id: bulletin.id, version: bulletin.version }, 'category set');
    await refreshPreview(ctx.api, deps.db, ctx.chatId!, bulletin.id, ctx.logger, deps.config);
    await ctx.answerCallbackQuery({ text: categoryChosen(category ? CATEGORIES[category] : undefined) });
  });

  on('lists', async (ctx, data) => {
    const bulletin = await openable(ctx, data);
    const lists = await targetLists(deps.db, bulletin.id);
    await ctx.editMessageReplyMarkup({ reply_markup: listsKeyboard(bulletin.id, bulletin.version, lists) });
    await ctx.answerCallbackQuery();
  });

  on('setlist', async (ctx, data) => {
    const listId = Number(data.arg);
    if (!Number.isSafeInteger(listId)) return ctx.answerCallbackQuery();
    await toggleTargetList(deps.db, {
      ...actor(ctx),
      bulletinId: data.bulletinId,
      version: data.version,
      listId,
    });
    ctx.logger.info({ bulletin_id: data.bulletinId, list_id: listId }, 'target lists changed');
    const bulletin = await getBulletin(deps.db, data.bulletinId);
    const keyboard = listsKeyboard(bulletin.id, bulletin.version, await targetLists(deps.db, bulletin.id));
    await refreshPreview(ctx.api, deps.db, ctx.chatId!, bulletin.id, ctx.logger, {
      ...deps.config,
      keyboard,
    });
    await ctx.answerCallbackQuery({ text: listToggled() });
  });

  // The WhatsApp Channel is offered only while one is set (it can be linked or unlinked any time);
  // core checks again when a choice is pressed.
  const available = () => availableOutlets(deps.db, deps.config.outlets ?? []);

  on('outlets', async (ctx, data) => {
    const bulletin = await openable(ctx, data);
    const chosen = await bulletinOutlets(deps.db, bulletin.id);
    await ctx.editMessageReplyMarkup({
      reply_markup: outletsKeyboard(bulletin.id, bulletin.version, await available(), chosen),
    });
    await ctx.answerCallbackQuery();
  });

  on('setoutlet', async (ctx, data) => {
    const outlet = OUTLET_NAMES.find((name) => name === data.arg);
    if (!outlet) return ctx.answerCallbackQuery();
    await toggleTargetOutlet(deps.db, {
      ...actor(ctx),
      actorName: ctx.from!.first_name,
      bulletinId: data.bulletinId,
      version: data.version,
      outlet,
      configured: deps.config.outlets ?? [],
    });
    ctx.logger.info({ bulletin_id: data.bulletinId, outlet }, 'target outlets changed');
    const bulletin = await getBulletin(deps.db, data.bulletinId);
    const chosen = await bulletinOutlets(deps.db, bulletin.id);
    await refreshPreview(ctx.api, deps.db, ctx.chatId!, bulletin.id, ctx.logger, {
      ...deps.config,
      keyboard: outletsKeyboard(bulletin.id, bulletin.version, await available(), chosen),
    });
    await ctx.answerCallbackQuery({ text: outletToggled() });
  });

  on('back', async (ctx, data) => {
    await requireRole(deps.db, ctx.from!.id, deps.adminIds, 'redattore');
    const bulletin = await getBulletin(deps.db, data.bulletinId);
    // An older preview gets no buttons back: only the current one acts.
    const current = ctx.callbackQuery!.message?.message_id === bulletin.previewMessageId;
    const keyboard = current ? previewKeyboard(bulletin, deps.config) : undefined;
    await ctx.editMessageReplyMarkup({ reply_markup: keyboard ?? { inline_keyboard: [] } });
    await ctx.answerCallbackQuery();
  });
  return feature;
}

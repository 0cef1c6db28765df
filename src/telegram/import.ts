import { createHash } from 'node:crypto';
import { Composer, InlineKeyboard } from 'grammy';
import { setPreviewMessage } from '../core/bulletins.js';
import { MAX_CONTACTS_FILE_BYTES, readContactsFile } from '../core/contacts-file.js';
import {
  cancelImport,
  confirmImport,
  expirePendingImports,
  IMPORT_TTL_MINUTES,
  prepareImport,
} from '../core/import.js';
import { slugFor } from '../core/lists.js';
import { requireRole } from '../core/staff.js';
import { draftTransitionNotice } from '../core/transition-notice.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { answer, type BotContext, displayName, type FeatureDeps } from './context.js';
import { fetchMedia } from './media-fetch.js';
import { postPreview } from './preview.js';
import {
  contactsFileTooBig,
  IMPORT_LABELS,
  importCancelled,
  importDone,
  importSummary,
  importUsage,
  transitionNoticeText,
} from './texts.js';

/** Button data: `import:<ok|no|notice>:<import id>`; the id names a row, the server decides the rest. */
const BUTTON = /^import:(ok|no|notice):(\d{1,9})$/;
const button = (action: 'ok' | 'no' | 'notice', importId: number) => `import:${action}:${importId}`;

/** The list named after the command, by its slug or its name ("Protezione civile"); undefined for the default list. */
export function parseImportList(match: string): string | undefined {
  const slug = slugFor(match);
  return slug === '' ? undefined : slug;
}

/**
 * `/importa [lista]` in reply to a vCard or CSV file: an amministratore brings in the people who
 * already received the Comune's news by hand. The bot reads the numbers, keeps them server-side
 * and shows a summary with "Importa" and "Annulla" before anything changes; after the import it
 * offers the transition notice as a draft.
 */
export function importFeature(deps: FeatureDeps): Composer<BotContext> {
  const { db, adminIds } = deps;
  const feature = new Composer<BotContext>();

  feature.command('importa', async (ctx) => {
    // Checked again in core; checking first spares a stranger's download.
    await requireRole(db, ctx.from!.id, adminIds, 'amministratore');
    const document = ctx.msg.reply_to_message?.document;
    if (!document) return answer(ctx, importUsage());
    if ((document.file_size ?? 0) > MAX_CONTACTS_FILE_BYTES)
      return answer(ctx, contactsFileTooBig(MAX_CONTACTS_FILE_BYTES));
    const { data } = await fetchMedia(ctx.api, deps.config.telegram!, {
      kind: 'document',
      fileId: document.file_id,
      fileSize: document.file_size,
      mimeType: document.mime_type ?? 'application/octet-stream',
      fileName: null,
    });
    if (data.length > MAX_CONTACTS_FILE_BYTES)
      return answer(ctx, contactsFileTooBig(MAX_CONTACTS_FILE_BYTES));
    const file = readContactsFile(data);
    const preview = await prepareImport(db, {
      actorId: ctx.from!.id,
      adminIds,
      list: parseImportList(ctx.match),
      fileHash: createHash('sha256').update(data).digest('hex'),
      file,
    });
    ctx.logger.info(
      { outcome: preview.outcome, format: file.format, valid: file.numbers.length, invalid: file.invalid },
      'contacts file read',
    );
    const text = importSummary(preview, file, IMPORT_TTL_MINUTES);
    if (preview.outcome !== 'ready') return answer(ctx, text);
    await ctx.reply(text, {
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
      reply_markup: new InlineKeyboard()
        .text(IMPORT_LABELS.confirm, button('ok', preview.importId))
        .text(IMPORT_LABELS.cancel, button('no', preview.importId)),
    });
  });

  /** The import a press names and who pressed; the role is checked again in core. */
  const pressed = (ctx: BotContext & { callbackQuery: { data: string }; from: { id: number } }) => ({
    importId: Number(BUTTON.exec(ctx.callbackQuery.data)?.[2]),
    actorId: ctx.from.id,
    adminIds,
  });

  feature.callbackQuery(/^import:ok:\d{1,9}$/, async (ctx) => {
    const input = pressed(ctx);
    const result = await confirmImport(db, input);
    ctx.logger.info({ importId: input.importId, imported: result.imported }, 'contacts imported');
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(importDone(result), {
      reply_markup:
        result.imported > 0
          ? new InlineKeyboard().text(IMPORT_LABELS.notice, button('notice', input.importId))
          : { inline_keyboard: [] },
    });
  });

  feature.callbackQuery(/^import:no:\d{1,9}$/, async (ctx) => {
    await cancelImport(db, pressed(ctx));
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(importCancelled(), { reply_markup: { inline_keyboard: [] } });
  });

  feature.callbackQuery(/^import:notice:\d{1,9}$/, async (ctx) => {
    const input = pressed(ctx);
    const bulletin = await draftTransitionNotice(db, {
      ...input,
      actorName: displayName(ctx),
      text: transitionNoticeText(deps.config.comune),
    });
    ctx.logger.info({ importId: input.importId, bulletin_id: bulletin.id }, 'transition notice drafted');
    await ctx.answerCallbackQuery();
    const messageId = await postPreview(ctx.api, db, ctx.chatId!, bulletin.id, deps.config);
    await setPreviewMessage(db, bulletin.id, messageId);
  });
  return feature;
}

/** Drops pending imports nobody confirmed in time, now and every few minutes, so their numbers do not linger. */
export function startImportExpiry(db: Db, logger: Logger, everyMs = 5 * 60_000): { stop(): void } {
  const run = () =>
    expirePendingImports(db)
      .then((n) => {
        if (n > 0) logger.info({ expired: n }, 'pending imports expired');
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not expire pending imports'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

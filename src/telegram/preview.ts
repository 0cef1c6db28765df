import { desc, eq } from 'drizzle-orm';
import type { Api } from 'grammy';
import { getBulletin } from '../core/bulletins.js';
import { whatsappText } from '../core/compose.js';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { approvedPreview, draftPreview, previewKeyboard, rejectedPreview, unknownPerson } from './texts.js';

/**
 * The preview message of a bulletin, rendered from the database alone: its state, who decided and
 * what citizens will read. Decisions record the decider's name in the audit register's detail
 * (`{ name }`), which is where the preview reads it.
 */
export async function renderPreview(
  db: Db,
  bulletinId: number,
): Promise<{ text: string; keyboard: ReturnType<typeof previewKeyboard> | undefined }> {
  const bulletin = await getBulletin(db, bulletinId);
  const [last] = await db
    .select({ action: auditLog.action, detail: auditLog.detail })
    .from(auditLog)
    .where(eq(auditLog.bulletinId, bulletinId))
    .orderBy(desc(auditLog.id))
    .limit(1);
  const name = String((last?.detail as { name?: unknown } | undefined)?.name ?? unknownPerson());
  const text = whatsappText(bulletin);
  switch (bulletin.state) {
    case 'pending':
      return {
        text: draftPreview({ bulletinId, authorName: name, text }),
        keyboard: previewKeyboard(bulletinId),
      };
    case 'rejected':
      return { text: rejectedPreview({ bulletinId, deciderName: name, text }), keyboard: undefined };
    default:
      return {
        text: approvedPreview({ bulletinId, approverName: name, queued: 0, text }),
        keyboard: undefined,
      };
  }
}

/** Edits the bulletin's preview message to show its current state; a failure is logged, not thrown. */
export async function refreshPreview(
  api: Pick<Api, 'editMessageText'>,
  db: Db,
  chatId: number,
  bulletinId: number,
  logger: Logger,
): Promise<void> {
  const bulletin = await getBulletin(db, bulletinId);
  if (bulletin.previewMessageId === null) return;
  const { text, keyboard } = await renderPreview(db, bulletinId);
  await api
    .editMessageText(chatId, bulletin.previewMessageId, text, {
      reply_markup: keyboard ?? { inline_keyboard: [] },
    })
    .catch((err: unknown) => logger.warn({ err, bulletin_id: bulletinId }, 'could not update the preview'));
}

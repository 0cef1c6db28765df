import type { Message } from 'grammy/types';
import { type Button, fileUrl, type StaffView } from './hub.js';
import { telegramHtml } from './render.js';
import { demoBot } from './staff.js';

type Keyboard = { inline_keyboard?: { text: string; callback_data?: string; url?: string }[][] };

/** A message of the staff group as the page shows it: text, file, buttons, whether it asks a reply. */
export function staffView(message: Message, parseMode: unknown, previous: StaffView | undefined): StaffView {
  const markup = message.reply_markup as (Keyboard & { force_reply?: boolean }) | undefined;
  const keyboard: Button[][] = (markup?.inline_keyboard ?? []).map((row) =>
    row.map((b) => ({
      text: b.text,
      ...(b.callback_data ? { data: b.callback_data } : {}),
      ...(b.url ? { url: b.url } : {}),
    })),
  );
  const photo = message.photo?.at(-1)?.file_id;
  const document = message.document ?? message.video;
  return {
    id: message.message_id,
    author: message.from?.first_name ?? 'Banditore',
    fromBot: message.from?.id === demoBot.id,
    html: telegramHtml(
      message.text ?? message.caption ?? '',
      parseMode,
      message.entities ?? message.caption_entities,
    ),
    ...(photo ? { photo: fileUrl(photo) } : {}),
    ...(document
      ? {
          document: {
            name: (document as { file_name?: string }).file_name ?? 'file',
            url: fileUrl(document.file_id),
          },
        }
      : {}),
    keyboard,
    asksReply: Boolean(markup?.force_reply),
    ...(message.reply_to_message ? { replyTo: message.reply_to_message.message_id } : {}),
    edited: previous?.edited ?? false,
    deleted: false,
  };
}

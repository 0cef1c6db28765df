import type { Message } from 'grammy/types';
import { isEmptyBody } from '../core/body.js';
import type { MediaKind } from '../core/media.js';
import type { BulletinBody } from '../core/outlets.js';
import { afterCommand, bodyFromTelegram } from './format.js';

/** A file in a Telegram message, as the Bot API describes it (not yet downloaded). */
export type MediaRef = {
  kind: MediaKind;
  fileId: string;
  fileSize: number | undefined;
  mimeType: string;
  fileName: string | null;
};

/** What one message brings to a bulletin: its body (text and formatting), and its file, if any. */
export type DraftContent = { body: BulletinBody; media: MediaRef | undefined };

/** The message's photo, video or PDF; 'not_pdf' for any other document; undefined without a file. */
export function mediaOf(msg: Message): MediaRef | 'not_pdf' | undefined {
  if (msg.photo && msg.photo.length > 0) {
    // Telegram lists the sizes smallest first; the last is the original's resolution.
    const largest = msg.photo[msg.photo.length - 1]!;
    return {
      kind: 'image',
      fileId: largest.file_id,
      fileSize: largest.file_size,
      mimeType: 'image/jpeg',
      fileName: null,
    };
  }
  if (msg.video) {
    return {
      kind: 'video',
      fileId: msg.video.file_id,
      fileSize: msg.video.file_size,
      mimeType: msg.video.mime_type ?? 'video/mp4',
      fileName: msg.video.file_name ?? null,
    };
  }
  if (msg.document) {
    // A GIF arrives as an animation with a document beside it: not a PDF either.
    if (msg.animation || msg.document.mime_type !== 'application/pdf') return 'not_pdf';
    return {
      kind: 'document',
      fileId: msg.document.file_id,
      fileSize: msg.document.file_size,
      mimeType: 'application/pdf',
      fileName: msg.document.file_name ?? null,
    };
  }
  return undefined;
}

/** A message's own content: its text or caption (after a leading command) and its file. */
export function contentOf(msg: Message): DraftContent | 'not_pdf' {
  const media = mediaOf(msg);
  if (media === 'not_pdf') return media;
  const raw = msg.text ?? msg.caption ?? '';
  const own = afterCommand(raw, msg.entities ?? msg.caption_entities ?? []);
  return { body: bodyFromTelegram(own.text, own.entities), media };
}

/**
 * `/bozza` content: the command message's own text and file; what is missing comes from the
 * message it replies to (`/bozza` alone on a photo takes the photo and its caption).
 */
export function draftContent(msg: Message): DraftContent | 'not_pdf' {
  const own = contentOf(msg);
  const replied = msg.reply_to_message;
  if (own === 'not_pdf' || own.media || !replied) return own;
  const other = contentOf(replied);
  if (other === 'not_pdf') return other;
  return isEmptyBody(own.body) ? other : { body: own.body, media: other.media };
}

/** Text as the page shows it: always escaped first, then only the markup each app knows. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** WhatsApp's markup as a phone renders it: *bold*, _italic_, ~strike~, ```monospace```. */
export function whatsappHtml(text: string): string {
  return escapeHtml(text)
    .replace(/```([\s\S]+?)```/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s.,;:!?)])/gm, '$1<strong>$2</strong>')
    .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s.,;:!?)])/gm, '$1<em>$2</em>')
    .replace(/(^|[\s(])~(\S(?:[^~\n]*\S)?)~(?=$|[\s.,;:!?)])/gm, '$1<s>$2</s>')
    .replace(/\n/g, '<br>');
}

const KEPT_TAGS = /^<\/?(b|strong|i|em|u|s|code|pre)>$/;

/**
 * A Bot API text as Telegram shows it: with parse_mode HTML the bot has escaped the text itself, so
 * only the simple formatting tags are kept and any other tag (a link, a mention) leaves its text.
 */
export function telegramHtml(text: string, parseMode: unknown): string {
  const html =
    parseMode === 'HTML'
      ? text.replace(/<[^>]*>/g, (tag) => (KEPT_TAGS.test(tag) ? tag : ''))
      : escapeHtml(text);
  return html.replace(/\n/g, '<br>');
}

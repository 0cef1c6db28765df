/**
 * The bodies of POST /{phone-number-id}/messages, pure. Inside the 24-hour window a free-form text
 * or media message; outside it the approved template with the bulletin as its one body parameter.
 */

/** A template body parameter's limit (Meta's, about 1,024 characters; no newlines or tabs). */
export const TEMPLATE_PARAMETER_LIMIT = 1024;
/** Meta's limits on a text body and on a media caption. */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

export type Template = { name: string; language: string };

/** The Cloud API's recipient: the phone number's digits, from our phone jid. */
export function recipientOf(phoneJid: string): string {
  return phoneJid.split('@')[0]!.split(':')[0]!;
}

const common = (to: string, deliveryId?: number) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  ...(deliveryId === undefined ? {} : { biz_opaque_callback_data: String(deliveryId) }),
});

/** A free-form text: a reply, or a bulletin inside the window. */
export function textMessage(to: string, body: string, deliveryId?: number): Record<string, unknown> {
  return {
    ...common(to, deliveryId),
    type: 'text',
    text: { body: body.slice(0, TEXT_LIMIT), preview_url: false },
  };
}

/** A bulletin's media, uploaded once, sent by its id with the text as caption. */
export function mediaMessage(
  to: string,
  media: { id: string; kind: 'image' | 'video' | 'document'; fileName: string | null },
  caption: string,
  deliveryId: number,
): Record<string, unknown> {
  const content: Record<string, unknown> = { id: media.id };
  if (caption !== '') content.caption = caption.slice(0, CAPTION_LIMIT);
  if (media.kind === 'document') content.filename = media.fileName ?? 'documento.pdf';
  return { ...common(to, deliveryId), type: media.kind, [media.kind]: content };
}

/** The template with its one parameter. */
export function templateMessage(
  to: string,
  template: Template,
  parameter: string,
  deliveryId: number,
): Record<string, unknown> {
  return {
    ...common(to, deliveryId),
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [{ type: 'body', parameters: [{ type: 'text', text: parameter }] }],
    },
  };
}

/** How a bulletin fits the template: whole, cut to point to the archive page, or cut with no page to point to. */
export type TemplateFit = 'whole' | 'archive_link' | 'cut';

const flatten = (text: string) =>
  text
    .replace(/\s*[\r\n\t]+\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/**
 * The template's parameter for a bulletin: its text on one line (newlines and tabs are not
 * allowed there). A text too long for the parameter, or a media bulletin (the template carries no
 * file), points to the bulletin's archive page; without a page the text is cut.
 */
export function templateParameter(
  text: string,
  options: { hasMedia: boolean; pageUrl: string | undefined },
): { parameter: string; fit: TemplateFit } {
  const flat = flatten(text);
  if (!options.hasMedia && flat.length <= TEMPLATE_PARAMETER_LIMIT) return { parameter: flat, fit: 'whole' };
  if (options.pageUrl) {
    const tail = ` … Testo completo: ${options.pageUrl}`;
    const room = TEMPLATE_PARAMETER_LIMIT - tail.length;
    const head = flat.length <= room ? flat : `${flat.slice(0, room - 1).trimEnd()}`;
    return { parameter: `${head}${tail}`, fit: 'archive_link' };
  }
  if (flat.length <= TEMPLATE_PARAMETER_LIMIT) return { parameter: flat, fit: 'cut' };
  return { parameter: `${flat.slice(0, TEMPLATE_PARAMETER_LIMIT - 1).trimEnd()}…`, fit: 'cut' };
}

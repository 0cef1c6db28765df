/** Categories staff can give a bulletin; each becomes a short header on WhatsApp. */
export const CATEGORIES = {
  servizi: 'Servizi',
  bandi: 'Bandi',
  scadenze: 'Scadenze',
  viabilita: 'Viabilità',
  ordinanze: 'Ordinanze',
  eventi: 'Eventi',
  opportunita: 'Opportunità',
} as const;

export type Category = keyof typeof CATEGORIES;

export function isCategory(value: string | null | undefined): value is Category {
  return value != null && Object.hasOwn(CATEGORIES, value);
}

/**
 * A legacy version's WhatsApp text: the category header, then its text as stored before the
 * neutral body (already in WhatsApp markup). The input of the `whatsapp_text` hash only; what is
 * sent now is rendered from the body (whatsapp/markup.ts).
 */
export function whatsappText(bulletin: { text: string; category: string | null }): string {
  if (!isCategory(bulletin.category)) return bulletin.text;
  const header = `*${CATEGORIES[bulletin.category].toUpperCase()}*`;
  return bulletin.text === '' ? header : `${header}\n\n${bulletin.text}`;
}

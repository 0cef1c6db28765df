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
 * Exactly what a citizen reads: the category header, then the bulletin's text (already in
 * WhatsApp formatting). For a media bulletin this is the caption.
 */
export function whatsappText(bulletin: { text: string; category: string | null }): string {
  if (!isCategory(bulletin.category)) return bulletin.text;
  const header = `*${CATEGORIES[bulletin.category].toUpperCase()}*`;
  return bulletin.text === '' ? header : `${header}\n\n${bulletin.text}`;
}

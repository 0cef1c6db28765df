/**
 * The Gulpease index of an Italian text (Lucisano and Piemontese, 1988):
 * 89 + (300 * sentences - 10 * letters) / words, clamped to 0..100. Higher is easier.
 * Usual reading of the bands: below 80 hard for someone with primary school only, below 60 hard
 * for someone with lower secondary school ("licenza media"), below 40 hard even with a diploma.
 * Undefined for a text without words (a photo without caption).
 */
export function gulpease(text: string): number | undefined {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return undefined;
  const letters = words.reduce((sum, word) => sum + word.length, 0);
  // A sentence ends at . ! ? … or at a line break (bulletins often list items one per line).
  const sentences = text.split(/[.!?…]+|\n+/u).filter((part) => /[\p{L}\p{N}]/u.test(part)).length;
  const index = 89 + (300 * sentences - 10 * letters) / words.length;
  return Math.round(Math.min(100, Math.max(0, index)));
}

/** The general public reads at about "licenza media": below this the preview suggests simpler text. */
export const GULPEASE_HARD_BELOW = 60;
/** Below this even a reader with a diploma struggles. */
export const GULPEASE_VERY_HARD_BELOW = 40;

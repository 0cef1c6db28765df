import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A number as WhatsApp addresses it: E.164 digits without the plus. */
export type NormalisedNumber = { digits: string; landline: boolean };

/** Numbers written without a country code are Italian. */
const DEFAULT_REGION = 'IT';

// Types libphonenumber cannot tell from a mobile (the NANP's numbers) or that may be one.
const MAYBE_MOBILE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER', 'VOIP', undefined]);

/**
 * Normalises a phone number as people write it (spaces, dashes, dots, brackets, `+39`, `0039`,
 * `39` or nothing in front, a `tel:` URI) to E.164, with Google's metadata through
 * libphonenumber-js; undefined when it is no valid number. `landline` marks fixed, toll-free and
 * other non-mobile numbers, which are rarely on WhatsApp. An extension is dropped.
 */
export function normalisePhoneNumber(raw: string): NormalisedNumber | undefined {
  const text = raw.trim().replace(/^tel:/i, '');
  if (!/\d/.test(text) || text.length > 40) return undefined;
  const parsed = parsePhoneNumberFromString(text, DEFAULT_REGION);
  if (!parsed?.isValid()) return undefined;
  return { digits: parsed.number.slice(1), landline: !MAYBE_MOBILE.has(parsed.getType()) };
}

/** "+39 333 123 4567": a phone jid's number as people read it. */
export function displayNumber(phoneJid: string): string {
  const digits = phoneJid.split('@')[0] ?? '';
  return parsePhoneNumberFromString(`+${digits}`)?.formatInternational() ?? `+${digits}`;
}

/** The phone jid WhatsApp uses for a normalised number. */
export function phoneJidOf(digits: string): string {
  return `${digits}@s.whatsapp.net`;
}

/**
 * What never reaches a log line: Telegram bot tokens (grammY's network errors carry the request URL,
 * `/bot<token>/getUpdates`), WhatsApp addresses (Baileys logs `jid`, `from`, `participant`, whole
 * stanzas, at the top level and nested), bare phone numbers and LIDs, message texts and key bytes,
 * and the parameters of a failed query (which carry all of these).
 */

export const CENSOR = '[redacted]';

// A bot token as BotFather issues it, wherever it sits (inside a URL path too: "/bot123:AAE...").
const TOKEN = /\d+:[A-Za-z0-9_-]{20,}/g;
// user[_agent][:device]@server for people (phone numbers and LIDs); groups (@g.us) name no person.
const PERSON_JID = /\d+(?:_\d+)?(?::\d+)?@(s\.whatsapp\.net|c\.us|lid|hosted\.lid|hosted)\b/g;
// A phone number or LID without its server: 8 digits or more standing alone (a "+" may precede).
// Digits inside a longer word (a message id such as 3EB0A1B2..., a hash) are not numbers.
const BARE_NUMBER = /(?<![A-Za-z0-9])\d{8,}(?![A-Za-z0-9])/g;

/** Keys whose value is a person's words or name, or a number as a number: censored whole. */
const CENSORED_KEYS = new Set([
  'text',
  'caption',
  'conversation',
  'pushName',
  'notify',
  'verifiedBizName',
  'phoneNumber',
  'number',
  'pn',
  // A failed query's parameters (drizzle's DrizzleQueryError): texts, addresses, key bytes.
  'params',
]);

// drizzle's message for a failed query ends with its parameters, to the end of the message (or,
// in a stack, to the first frame).
const QUERY_PARAMS = /(Failed query: [\s\S]*?\nparams: )[\s\S]*?(?=\n {4}at |$)/g;

const MAX_DEPTH = 8;

/** A log text with tokens, WhatsApp addresses and phone numbers replaced. */
export function scrubText(text: string): string {
  return text
    .replace(QUERY_PARAMS, `$1${CENSOR}`)
    .replace(TOKEN, CENSOR)
    .replace(PERSON_JID, `${CENSOR}@$1`)
    .replace(BARE_NUMBER, CENSOR);
}

/**
 * A copy of a value about to be logged, safe to print: strings scrubbed at any depth, errors turned
 * into { type, message, stack, ...their fields } with all of it scrubbed (causes included), binary
 * data (key material) left out, cycles cut.
 */
export function scrubLogValue(value: unknown): unknown {
  return scrub(value, 0, new Set());
}

function scrub(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[...]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, ancestors));
    if (!(value instanceof Error) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return scrub((value as { toJSON(): unknown }).toJSON(), depth + 1, ancestors);
    }
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = value.constructor?.name ?? value.name;
      out.message = scrubText(value.message);
      if (value.stack) out.stack = scrubText(value.stack);
      if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1, ancestors);
    }
    for (const [key, item] of Object.entries(value)) {
      // An error's own fields do not replace its type, message or stack (node-fetch sets `type`).
      if (key in out) continue;
      out[key] = CENSORED_KEYS.has(key) ? CENSOR : scrub(item, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

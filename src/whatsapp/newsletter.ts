import { DomainError } from '../core/errors.js';

/** A WhatsApp Channel as the bridge keeps it. */
export type ChannelMetadata = {
  jid: string;
  name: string;
  inviteCode: string | null;
  role: string;
  followers: number | null;
};

type Loose = Record<string, unknown> | undefined;

const asObject = (value: unknown): Loose =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;

const textOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const text = asObject(value)?.text;
  return typeof text === 'string' ? text : undefined;
};

const countOf = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * Reads what rc14 answers about a Channel. Its types promise `NewsletterMetadata`, but
 * `newsletterMetadata` returns WhatsApp's raw result (`thread_metadata.name.text`,
 * `subscribers_count` as a string, `viewer_metadata.role`), while `newsletterCreate` returns the
 * parsed shape (`name`, `invite`, `subscribers`, no role). Both are read; undefined when it is
 * neither (null: no such Channel).
 */
export function readChannelMetadata(raw: unknown, fallbackRole?: string): ChannelMetadata | undefined {
  const result = asObject(raw);
  const jid = result?.id;
  if (typeof jid !== 'string' || !jid.endsWith('@newsletter')) return undefined;
  const thread = asObject(result?.thread_metadata);
  const viewer = asObject(result?.viewer_metadata);
  const name = textOf(thread?.name) ?? textOf(result?.name);
  const invite = thread?.invite ?? result?.invite;
  const role = typeof viewer?.role === 'string' ? viewer.role : fallbackRole;
  if (name === undefined || role === undefined) return undefined;
  return {
    jid,
    name,
    inviteCode: typeof invite === 'string' && invite !== '' ? invite : null,
    role,
    followers: countOf(thread?.subscribers_count ?? result?.subscribers),
  };
}

const INVITE_CODE = /^[A-Za-z0-9_-]{10,64}$/;

/** The invite code of "https://whatsapp.com/channel/<code>" (or the bare code); refuses anything else. */
export function parseChannelInvite(text: string): string {
  const trimmed = text.trim();
  if (INVITE_CODE.test(trimmed)) return trimmed;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new DomainError('invalid_channel_link');
  }
  const [kind, code] = url.pathname.split('/').filter(Boolean);
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  if (host !== 'whatsapp.com' || kind !== 'channel' || !code || !INVITE_CODE.test(code)) {
    throw new DomainError('invalid_channel_link');
  }
  return code;
}

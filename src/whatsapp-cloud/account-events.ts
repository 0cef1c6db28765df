import type { MessagingTier } from '../core/cloud-account.js';
import type { CloudPauseSignal } from '../core/notices.js';

/** What an account webhook means for sending. */
export type AccountEvent =
  /** Stop the queue and tell a person (Meta's `event` name kept for the register). */
  | { kind: 'pause'; signal: CloudPauseSignal; event: string }
  /** The number's messaging-limit tier as Meta reports it now. */
  | ({ kind: 'tier' } & MessagingTier)
  /** Meta reviewed a message template (approved, flagged, paused, disabled...). */
  | { kind: 'template'; name: string; language: string | undefined; event: TemplateEvent };

/** The fields read here; `messages` is payload.ts's. Anything else is ignored by name. */
const KNOWN = new Set([
  'messages',
  'phone_number_quality_update',
  'account_update',
  'business_capability_update',
  'message_template_status_update',
]);

/** Template reviews staff hear of: the rest (pending, deletion done...) change nothing for sending. */
export const TEMPLATE_EVENTS = [
  'APPROVED',
  'REJECTED',
  'FLAGGED',
  'PAUSED',
  'DISABLED',
  'REINSTATED',
] as const;
export type TemplateEvent = (typeof TEMPLATE_EVENTS)[number];

type TemplateValue = {
  event?: unknown;
  message_template_name?: unknown;
  message_template_language?: unknown;
};

function fromTemplate(value: TemplateValue): AccountEvent[] {
  const event = TEMPLATE_EVENTS.find((e) => e === value.event);
  const name = value.message_template_name;
  if (!event || typeof name !== 'string' || name.length > 512) return [];
  const language =
    typeof value.message_template_language === 'string' ? value.message_template_language : undefined;
  return [{ kind: 'template', name, language, event }];
}

/** `TIER_250`, `TIER_2K`, `TIER_100K`, `TIER_UNLIMITED`; undefined for TIER_NOT_SET and the unknown. */
export function tierLimit(tier: string): number | null | undefined {
  if (tier === 'TIER_UNLIMITED') return null;
  const match = /^TIER_(\d{1,6})(K|M)?$/.exec(tier);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'K' ? 1_000 : match[2] === 'M' ? 1_000_000 : 1);
}

/**
 * A messaging limit as Meta writes it: a tier name (`TIER_2K`) or a number of people (2000; -1 for
 * unlimited, in business_capability_update), named the same way either way so a repeat is no change.
 */
export function messagingLimitOf(value: unknown): MessagingTier | undefined {
  const limit =
    typeof value === 'string'
      ? tierLimit(value)
      : typeof value === 'number' && Number.isInteger(value)
        ? value === -1
          ? null
          : value > 0
            ? value
            : undefined
        : undefined;
  if (limit === undefined) return undefined;
  if (limit === null) return { tier: 'TIER_UNLIMITED', limit };
  return { tier: limit % 1000 === 0 ? `TIER_${limit / 1000}K` : `TIER_${limit}`, limit };
}

type QualityValue = {
  event?: unknown;
  current_limit?: unknown;
  max_daily_conversations_per_business?: unknown;
  quality_rating?: unknown;
};
type AccountValue = { event?: unknown; ban_info?: { waba_ban_state?: unknown } };

// account_update events that mean the number may not (or soon will not) send: a restriction, a
// policy violation, the account disabled or scheduled for it, deleted. REINSTATE and the rest
// (verification, partners, terms) change nothing for sending.
const STOPPING = new Set(['ACCOUNT_RESTRICTION', 'ACCOUNT_VIOLATION', 'ACCOUNT_DELETED', 'DISABLED_UPDATE']);

function fromQuality(value: QualityValue): AccountEvent[] {
  const events: AccountEvent[] = [];
  const event = typeof value.event === 'string' ? value.event : '';
  // FLAGGED: the number's quality rating fell to low (red); more blocks will lower its tier.
  if (event === 'FLAGGED' || value.quality_rating === 'RED')
    events.push({ kind: 'pause', signal: 'cloud_quality_red', event: event || 'RED' });
  // The per-business field replaces current_limit (to go in 2026); either may come.
  const tier = [value.max_daily_conversations_per_business, value.current_limit]
    .map(messagingLimitOf)
    .find((t) => t !== undefined);
  if (tier) events.push({ kind: 'tier', ...tier });
  return events;
}

type CapabilityValue = {
  max_daily_conversations_per_business?: unknown;
  max_daily_conversation_per_phone?: unknown;
};

/** business_capability_update: the portfolio's messaging limit, where Meta now reports changes. */
function fromCapability(value: CapabilityValue): AccountEvent[] {
  const tier = [value.max_daily_conversations_per_business, value.max_daily_conversation_per_phone]
    .map(messagingLimitOf)
    .find((t) => t !== undefined);
  return tier ? [{ kind: 'tier', ...tier }] : [];
}

function fromAccount(value: AccountValue): AccountEvent[] {
  const event = typeof value.event === 'string' ? value.event : '';
  if (!STOPPING.has(event)) return [];
  if (event === 'DISABLED_UPDATE' && value.ban_info?.waba_ban_state === 'REINSTATE') return [];
  return [{ kind: 'pause', signal: 'cloud_restricted', event }];
}

/**
 * Reads a webhook body's account changes (pure): a quality drop to red or a restriction, and the
 * messaging-limit tier. `ignored` names the fields read by nobody, for the log (Meta's field
 * names, never what a field holds).
 */
export function readAccountEvents(body: string): { events: AccountEvent[]; ignored: string[] } {
  const events: AccountEvent[] = [];
  const ignored: string[] = [];
  let parsed: { entry?: { changes?: { field?: unknown; value?: unknown }[] }[] };
  try {
    parsed = JSON.parse(body);
  } catch {
    return { events, ignored };
  }
  for (const entry of Array.isArray(parsed?.entry) ? parsed.entry : []) {
    for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
      const field = typeof change?.field === 'string' ? change.field : '';
      const value = change?.value && typeof change.value === 'object' ? change.value : {};
      if (field === 'phone_number_quality_update') events.push(...fromQuality(value as QualityValue));
      else if (field === 'account_update') events.push(...fromAccount(value as AccountValue));
      else if (field === 'business_capability_update')
        events.push(...fromCapability(value as CapabilityValue));
      else if (field === 'message_template_status_update')
        events.push(...fromTemplate(value as TemplateValue));
      else if (!KNOWN.has(field)) ignored.push(/^[a-z_]{1,64}$/.test(field) ? field : 'unnamed');
    }
  }
  return { events, ignored };
}

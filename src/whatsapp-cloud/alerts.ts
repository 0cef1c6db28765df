import { recordMessagingTier } from '../core/cloud-account.js';
import { type CloudPauseSignal, postStaffNotice } from '../core/notices.js';
import { pauseOnSignal } from '../core/send-control.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { AccountEvent } from './account-events.js';
import type { CloudErrorKind } from './graph-api.js';
import type { Template } from './messages.js';

/** The errors that stop the whole queue, as the pause's signal. */
export const PAUSING: Partial<Record<CloudErrorKind, CloudPauseSignal>> = {
  spam_limit: 'cloud_spam_limit',
  policy_block: 'cloud_policy_block',
  token: 'cloud_token',
  // Every template send would fail the same way, spending each recipient's attempts.
  template: 'cloud_template',
  payment: 'cloud_payment',
};

/**
 * Pauses the whole queue on a Cloud API error that means stop and tell a person (131048, 368, an
 * expired token), exactly as Baileys' ban signals do: one pause and one staff notice per signal
 * (many sends on the wire fail together), the register written; /riprendi resumes.
 */
export async function pauseForCloudError(
  db: Db,
  logger: Logger,
  signal: CloudPauseSignal,
  detail: Record<string, unknown>,
): Promise<void> {
  if (await pauseOnSignal(db, { signal, detail })) logger.warn({ signal }, 'Cloud API error: sending paused');
}

/**
 * Acts on account webhooks: a quality drop to red or a restriction pauses the queue like the ban
 * errors do; a new messaging-limit tier is kept (the sender stays under it) and told to staff.
 */
export async function applyAccountEvents(
  db: Db,
  logger: Logger,
  events: AccountEvent[],
  configured: { dailyLimit: number; template: Template | undefined },
): Promise<void> {
  for (const event of events) {
    if (event.kind === 'template') {
      // Only WA_CLOUD_TEMPLATE's reviews matter here; the account may hold other templates.
      const ours = configured.template;
      if (ours?.name !== event.name || (event.language && event.language !== ours.language)) continue;
      await postStaffNotice(db, { kind: 'cloud_template_status', event: event.event, name: event.name });
      logger.warn({ event: event.event }, 'Cloud API template reviewed');
      continue;
    }
    if (event.kind === 'pause') {
      await pauseForCloudError(db, logger, event.signal, { event: event.event });
      continue;
    }
    const changed = await recordMessagingTier(db, {
      tier: event.tier,
      limit: event.limit,
      configured: configured.dailyLimit,
    });
    if (changed) logger.warn({ tier: event.tier }, 'Cloud API messaging limit changed');
  }
}

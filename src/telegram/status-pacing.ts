import type { Config } from '../config.js';
import { cloudPacing, type Pacing } from '../core/pacing.js';

/** The pace a bulletin's status estimates its end with: the transport's own (Baileys' or the Cloud API's). */
export function statusPacing(
  config: Pick<Config, 'sendRatePerMinute' | 'sendLimits' | 'whatsappCloud'>,
): Pacing {
  if (config.whatsappCloud) return cloudPacing(config.whatsappCloud);
  return {
    ratePerMinute: config.sendRatePerMinute,
    maxPerHour: config.sendLimits.maxPerHour,
    maxPerDay: config.sendLimits.maxPerDay,
    warmupDays: config.sendLimits.warmupDays,
  };
}

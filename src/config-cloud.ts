import { z } from 'zod';
import { count, optionalText, required, seconds } from './config-fields.js';

// WA_TRANSPORT=cloud: Meta's WhatsApp Cloud API (see ../shared/notes/CLOUD-API.md and the README).

export const cloudSchema = {
  WA_TRANSPORT: z.enum(['baileys', 'cloud'], 'set it to baileys or cloud').default('baileys'),
  WA_CLOUD_PHONE_NUMBER_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{5,25}$/, 'set it to the phone number id Meta shows under WhatsApp > API Setup (digits)')
      .optional(),
  ),
  WA_CLOUD_ACCESS_TOKEN: required('set it to the permanent token of a System User'),
  WA_CLOUD_APP_SECRET: required('set it to the app secret (App settings > Basic)'),
  WA_CLOUD_VERIFY_TOKEN: required('set it to the verify token you type in the webhook settings'),
  WA_CLOUD_API_ROOT: z
    .string()
    .trim()
    .url('set it to a URL such as https://graph.facebook.com/v23.0')
    .default('https://graph.facebook.com/v23.0')
    .transform((value) => value.replace(/\/+$/, '')),
  WA_CLOUD_TEMPLATE: optionalText.pipe(
    z
      .string()
      .regex(
        /^[a-z0-9_]{1,512}:[a-zA-Z]{2,3}(_[a-zA-Z]{2})?$/,
        'set it to name:language, e.g. bollettino_comune:it',
      )
      .transform((value) => {
        const [name, language] = value.split(':');
        return { name: name!, language: language! };
      })
      .optional(),
  ),
  WA_CLOUD_RATE_PER_SECOND: z
    .string()
    .trim()
    .default('20')
    .pipe(
      count('a number of messages a second, e.g. 20').pipe(
        z.number().max(80, "set it to at most 80, the Cloud API's default throughput per number"),
      ),
    ),
  WA_CLOUD_DAILY_LIMIT: z
    .string()
    .trim()
    .default('250')
    .pipe(
      count('the messaging limit of your number, e.g. 1000').pipe(
        z
          .number()
          .min(250, "set it to your number's messaging limit: 250 or more (Meta's tiers start at 250)"),
      ),
    ),
  WA_CLOUD_PRICE_PER_MESSAGE: optionalText.pipe(
    z
      .string()
      .regex(/^\d+([.,]\d+)?$/, 'set it to the price of one template message in euro, e.g. 0.0572')
      .transform((value) => Number(value.replace(',', '.')))
      .optional(),
  ),
  WA_CLOUD_RECONCILE_SECONDS: z
    .string()
    .default('60')
    .pipe(seconds('a number of seconds, e.g. 60').pipe(z.number().min(1_000, 'set it to at least 1 second'))),
};

const cloudEnv = z.object(cloudSchema);
type CloudEnv = z.infer<typeof cloudEnv>;

/** The Cloud API transport's settings, once validated. */
export type CloudConfig = {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  apiRoot: string;
  /** The approved template that carries a bulletin outside the 24-hour window. */
  template: { name: string; language: string } | undefined;
  ratePerSecond: number;
  /** Meta's messaging limit: unique recipients in a rolling 24 h the sender never exceeds. */
  dailyLimit: number;
  /** Euro per template message, for the preview's estimate. */
  pricePerMessage: number | undefined;
  /** After a crash, how long an in-flight send waits for its status webhook before it is sent again. */
  reconcileMs: number;
};

const CLOUD_REQUIRED = {
  WA_CLOUD_PHONE_NUMBER_ID: 'the phone number id (WhatsApp > API Setup)',
  WA_CLOUD_ACCESS_TOKEN: "a System User's permanent token",
  WA_CLOUD_APP_SECRET: 'the app secret (App settings > Basic)',
  WA_CLOUD_VERIFY_TOKEN: 'a verify token of your choice, typed also in the webhook settings',
} as const;

/** The Cloud API's settings when WA_TRANSPORT=cloud; each missing one is added to `problems`. */
export function cloudConfig(e: CloudEnv, problems: string[]): CloudConfig | undefined {
  if (e.WA_TRANSPORT !== 'cloud') return undefined;
  for (const [name, what] of Object.entries(CLOUD_REQUIRED)) {
    if (e[name as keyof typeof CLOUD_REQUIRED] === undefined)
      problems.push(`${name}: required with WA_TRANSPORT=cloud; set it to ${what}`);
  }
  if (problems.length > 0) return undefined;
  return {
    phoneNumberId: e.WA_CLOUD_PHONE_NUMBER_ID!,
    accessToken: e.WA_CLOUD_ACCESS_TOKEN!,
    appSecret: e.WA_CLOUD_APP_SECRET!,
    verifyToken: e.WA_CLOUD_VERIFY_TOKEN!,
    apiRoot: e.WA_CLOUD_API_ROOT,
    template: e.WA_CLOUD_TEMPLATE,
    ratePerSecond: e.WA_CLOUD_RATE_PER_SECOND,
    dailyLimit: e.WA_CLOUD_DAILY_LIMIT,
    pricePerMessage: e.WA_CLOUD_PRICE_PER_MESSAGE,
    reconcileMs: e.WA_CLOUD_RECONCILE_SECONDS,
  };
}

import { z } from 'zod';
import { cloudSchema } from './config-cloud.js';
import { count, integer, optionalText, seconds } from './config-fields.js';

// The environment's variables as zod reads them; src/config.ts turns them into a Config per role.

/** What the citizen-facing variables say until they are set (start-up warns about it). */
export const PLACEHOLDER = 'DA IMPOSTARE';

/** "08:00-20:00" as minutes after midnight, Europe/Rome. */
function parseWindow(value: string): { startMinute: number; endMinute: number } {
  const [start, end] = value.split('-').map((part) => {
    const [h, m] = part.split(':').map(Number);
    return h! * 60 + m!;
  });
  return { startMinute: start!, endMinute: end! };
}

/** Every environment variable the program reads, validated and turned into values. */
export const schema = z.object({
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'set it to a postgres:// connection string, or leave it unset for PGlite')
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATA_DIR_LOCK_WAIT_SECONDS: z.string().default('30').pipe(seconds('a number of seconds, e.g. 30')),
  STANDBY_POLL_SECONDS: z
    .string()
    .default('2')
    .pipe(
      seconds('a number of seconds, e.g. 2').pipe(
        z
          .number()
          .min(100, 'set it to at least 0.1 seconds')
          .max(3_000, 'set it to at most 3 seconds, so a standby takes over within 15 s'),
      ),
    ),
  FLY_MACHINE_ID: optionalText,
  SHUTDOWN_TIMEOUT_SECONDS: z
    .string()
    .default('15')
    .pipe(
      seconds('a number of seconds, e.g. 15').pipe(z.number().min(100, 'set it to at least 0.1 seconds')),
    ),
  TELEGRAM_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, 'set it to the token BotFather gave you (digits:letters)')
      .optional(),
  ),
  TELEGRAM_API_ROOT: z
    .string()
    .trim()
    .url('set it to a URL such as https://api.telegram.org')
    .default('https://api.telegram.org'),
  TELEGRAM_DOWNLOAD_LIMIT_MB: optionalText.pipe(
    integer('a number of megabytes, e.g. 50')
      .pipe(z.number().min(1, 'set it to a number of megabytes above 0, e.g. 50'))
      .optional(),
  ),
  STAFF_CHAT_ID: optionalText.pipe(integer('the staff group chat id, e.g. -1001234567890').optional()),
  ADMIN_TELEGRAM_IDS: optionalText.pipe(
    z
      .string()
      .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'set it to comma-separated Telegram user ids, e.g. 12345,67890')
      .transform((value) => value.split(',').map((id) => Number(id.trim())))
      .optional(),
  ),
  SEND_RATE_PER_MINUTE: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'set it to a number of messages per minute, e.g. 2')
    .default('2')
    .transform(Number)
    .pipe(
      z
        .number()
        .positive('set it to a number above 0, e.g. 1')
        .max(60, 'set it to at most 60; WhatsApp bans numbers that send fast'),
    ),
  SEND_MAX_PER_HOUR: z.string().trim().default('80').pipe(count('messages an hour, e.g. 80')),
  SEND_MAX_PER_DAY: z.string().trim().default('1000').pipe(count('messages a day, e.g. 1000')),
  WARMUP_DAYS: z
    .string()
    .trim()
    .default('7')
    .pipe(integer('a number of days, e.g. 7 (0 turns the warm-up off)').pipe(z.number().min(0))),
  SEND_MAX_ATTEMPTS: z.string().trim().default('5').pipe(count('a number of attempts, e.g. 5')),
  RECEIPT_RETENTION_HOURS: z.string().trim().default('72').pipe(count('a number of hours, e.g. 72')),
  DELIVERY_RETENTION_DAYS: z
    .string()
    .trim()
    .default('90')
    .pipe(
      integer('a number of days, e.g. 90').pipe(
        // "Ritira" needs the delivery rows for WhatsApp's two days, and a margin for a late one.
        z.number().min(3, 'set it to at least 3 days, e.g. 90; "Ritira" needs the rows for two days'),
      ),
    ),
  WA_DOWN_ALERT_MINUTES: z.string().trim().default('10').pipe(count('a number of minutes, e.g. 10')),
  AUTO_REPLY_COOLDOWN_HOURS: z
    .string()
    .trim()
    .default('24')
    .pipe(integer('a number of hours, e.g. 24 (0 answers every message)').pipe(z.number().min(0))),
  REPLY_MAX_PER_SENDER_HOUR: z
    .string()
    .trim()
    .default('3')
    .pipe(
      count('a number of replies, e.g. 3').pipe(
        z.number().max(20, 'set it to at most 20; every reply counts against the sending caps'),
      ),
    ),
  REPLY_MAX_DELAY_MINUTES: z
    .string()
    .trim()
    .default('60')
    .pipe(
      count('a number of minutes, e.g. 60').pipe(
        z.number().max(1440, 'set it to at most 1440 (a day); an older answer only confuses'),
      ),
    ),
  PRIVACY_VERSION: z.string().trim().min(1).default('1'),
  REQUIRE_SECOND_APPROVER: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], 'set it to true or false')
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  SEND_WINDOW: z
    .string()
    .trim()
    .regex(
      /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/,
      'set it to a time range in Europe/Rome, e.g. 08:00-20:00',
    )
    .default('08:00-20:00')
    .transform(parseWindow),
  COMUNE_NAME: z.string().trim().min(1).default(`Comune (${PLACEHOLDER}: COMUNE_NAME)`),
  CONTACT_PHONE: z.string().trim().min(1).default(`(${PLACEHOLDER}: CONTACT_PHONE)`),
  CONTACT_EMAIL: z.string().trim().min(1).default(`(${PLACEHOLDER}: CONTACT_EMAIL)`),
  PRIVACY_URL: z.string().trim().min(1).default(`(${PLACEHOLDER}: PRIVACY_URL)`),
  PORT: z
    .string()
    .trim()
    .default('8080')
    .pipe(
      integer('a TCP port such as 8080').pipe(
        z.number().min(0).max(65535, 'set it to a TCP port such as 8080'),
      ),
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WA_SOCKET_MODULE: optionalText,
  OUTLETS_MODULE: optionalText,
  SEND_PACING: z.enum(['on', 'off'], 'set it to on (or leave it unset)').default('on'),
  PUBLIC_BASE_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^https?:\/\/[^\s/]+(\/[^\s]*)?$/,
        'set it to the public address of this service, e.g. https://notizie.comune.example.it',
      )
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
  ),
  BULLETIN_LINK: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], 'set it to true or false')
    .default('false')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  TELEGRAM_CHANNEL_ID: optionalText.pipe(
    z
      .string()
      .regex(
        /^(-100\d+|@[A-Za-z][A-Za-z0-9_]{3,})$/,
        'set it to the channel id (e.g. -1001234567890) or its @username',
      )
      .optional(),
  ),
  ...cloudSchema,
});

export type Parsed = z.infer<typeof schema>;

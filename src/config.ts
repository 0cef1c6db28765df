import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { type CloudConfig, cloudConfig, cloudSchema } from './config-cloud.js';
import { count, integer, optionalText, seconds } from './config-fields.js';
import { SHARED_SENDER_IDS } from './core/shared-senders.js';

export type { CloudConfig } from './config-cloud.js';

export type Role = 'all' | 'bot' | 'bridge';

const PLACEHOLDER = 'DA IMPOSTARE';

/** "08:00-20:00" as minutes after midnight, Europe/Rome. */
function parseWindow(value: string): { startMinute: number; endMinute: number } {
  const [start, end] = value.split('-').map((part) => {
    const [h, m] = part.split(':').map(Number);
    return h! * 60 + m!;
  });
  return { startMinute: start!, endMinute: end! };
}

const schema = z.object({
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

type Parsed = z.infer<typeof schema>;

export type Config = {
  role: Role;
  databaseUrl: string | undefined;
  dataDir: string;
  /** How long a second process waits for the embedded data directory's lock. */
  dataDirLockWaitMs: number;
  /** Postgres: how often a standby tries to become active, and the active checks it still is. */
  standbyPollMs: number;
  /** Which machine this is, as /stato shows it: Fly's machine id, else the host name. */
  machine: string;
  /** A stop (SIGTERM) that takes longer is cut short: the database is closed and the process exits 1. */
  shutdownTimeoutMs: number;
  telegram:
    | {
        token: string;
        apiRoot: string;
        staffChatId: number;
        adminIds: number[];
        /** Media larger than this (MB) is not downloaded; unset: the Bot API's own limit. */
        downloadLimitMb: number | undefined;
      }
    | undefined;
  sendRatePerMinute: number;
  /** Caps and warm-up on top of the rate; see ../shared/notes/WHATSAPP.md for why these figures. */
  sendLimits: { maxPerHour: number; maxPerDay: number; warmupDays: number; maxAttempts: number };
  receiptRetentionHours: number;
  /** Delivery rows of a finished bulletin become its counts after this many days. */
  deliveryRetentionDays: number;
  waDownAlertMinutes: number;
  /** An identical reply is not sent to the same person again within this time. */
  autoReplyCooldownHours: number;
  /** Replies one person may get in an hour, whatever they write. */
  replyMaxPerSenderHour: number;
  /** A reply held back by the caps or a pause is dropped once this late. */
  replyMaxDelayMinutes: number;
  privacyVersion: string;
  requireSecondApprover: boolean;
  /** When bulletins may go out, in minutes after midnight, Europe/Rome. */
  sendWindow: { startMinute: number; endMinute: number };
  comune: { name: string; phone: string; email: string; privacyUrl: string };
  port: number;
  logLevel: Parsed['LOG_LEVEL'];
  /** Test seam: a module whose `makeSocket` replaces Baileys' socket (never set in production). */
  waSocketModule: string | undefined;
  /** 'off' only with a stand-in socket (WA_SOCKET_MODULE): tests and benchmarks. */
  sendPacing: 'on' | 'off';
  /** The public archive's absolute address (no trailing slash), for links in feeds and messages. */
  publicBaseUrl: string | undefined;
  /** Append each bulletin's archive link to every outlet's message (needs publicBaseUrl). */
  bulletinLink: boolean;
  /** The Telegram channel the bot posts bulletins to: -100… id or @username. */
  telegramChannelId: string | undefined;
  /** Test seam: a module whose `botOutlets`/`bridgeOutlets` add broadcast outlets (never in production). */
  outletsModule: string | undefined;
  /** WA_TRANSPORT: Baileys (a linked phone) or Meta's Cloud API (then `whatsappCloud` is set). */
  waTransport: 'baileys' | 'cloud';
  whatsappCloud: CloudConfig | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const BOT_VARIABLES = {
  TELEGRAM_BOT_TOKEN: 'set it to the token BotFather gave you',
  STAFF_CHAT_ID: 'set it to the staff group chat id, e.g. -1001234567890',
  ADMIN_TELEGRAM_IDS: 'set it to comma-separated Telegram user ids of the first admins',
} as const;

/** Reads and validates the environment for one role; throws ConfigError with one line per problem. */
export function parseConfig(env: Record<string, string | undefined>, role: Role): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`),
    );
  }
  const e = result.data;
  const problems: string[] = [];
  if (role !== 'bridge') {
    for (const [name, hint] of Object.entries(BOT_VARIABLES)) {
      if (e[name as keyof typeof BOT_VARIABLES] === undefined)
        problems.push(`${name}: required for the bot role; ${hint}`);
    }
  }
  if (role !== 'all' && e.DATABASE_URL === undefined) {
    problems.push(
      `DATABASE_URL: required to run '${role}' alone; the embedded database (PGlite) takes one process, so run 'npm start' for both roles or set DATABASE_URL to a Postgres server`,
    );
  }
  const shared = e.ADMIN_TELEGRAM_IDS?.filter((id) => SHARED_SENDER_IDS.includes(id)) ?? [];
  if (shared.length > 0) {
    problems.push(
      `ADMIN_TELEGRAM_IDS: ${shared.join(', ')} is Telegram's shared sender for anonymous admins or channels, not a person; remove it and list the admins' own user ids`,
    );
  }
  if (e.SEND_PACING === 'off' && e.WA_SOCKET_MODULE === undefined) {
    problems.push(
      'SEND_PACING: off is only for tests against a stand-in socket; remove it to send to WhatsApp',
    );
  }
  if (e.BULLETIN_LINK && e.PUBLIC_BASE_URL === undefined) {
    problems.push(
      'BULLETIN_LINK: needs PUBLIC_BASE_URL, the address the links point to; set it or remove BULLETIN_LINK',
    );
  }
  const cloud = cloudConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    role,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dataDirLockWaitMs: e.DATA_DIR_LOCK_WAIT_SECONDS,
    standbyPollMs: e.STANDBY_POLL_SECONDS,
    machine: e.FLY_MACHINE_ID ?? hostname(),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS,
    telegram:
      e.TELEGRAM_BOT_TOKEN && e.STAFF_CHAT_ID !== undefined && e.ADMIN_TELEGRAM_IDS
        ? {
            token: e.TELEGRAM_BOT_TOKEN,
            apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
            staffChatId: e.STAFF_CHAT_ID,
            adminIds: e.ADMIN_TELEGRAM_IDS,
            downloadLimitMb: e.TELEGRAM_DOWNLOAD_LIMIT_MB,
          }
        : undefined,
    sendRatePerMinute: e.SEND_RATE_PER_MINUTE,
    sendLimits: {
      maxPerHour: e.SEND_MAX_PER_HOUR,
      maxPerDay: e.SEND_MAX_PER_DAY,
      warmupDays: e.WARMUP_DAYS,
      maxAttempts: e.SEND_MAX_ATTEMPTS,
    },
    receiptRetentionHours: e.RECEIPT_RETENTION_HOURS,
    deliveryRetentionDays: e.DELIVERY_RETENTION_DAYS,
    waDownAlertMinutes: e.WA_DOWN_ALERT_MINUTES,
    autoReplyCooldownHours: e.AUTO_REPLY_COOLDOWN_HOURS,
    replyMaxPerSenderHour: e.REPLY_MAX_PER_SENDER_HOUR,
    replyMaxDelayMinutes: e.REPLY_MAX_DELAY_MINUTES,
    privacyVersion: e.PRIVACY_VERSION,
    requireSecondApprover: e.REQUIRE_SECOND_APPROVER,
    sendWindow: e.SEND_WINDOW,
    comune: {
      name: e.COMUNE_NAME,
      phone: e.CONTACT_PHONE,
      email: e.CONTACT_EMAIL,
      privacyUrl: e.PRIVACY_URL,
    },
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    waSocketModule: e.WA_SOCKET_MODULE,
    sendPacing: e.SEND_PACING,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    bulletinLink: e.BULLETIN_LINK,
    telegramChannelId: e.TELEGRAM_CHANNEL_ID,
    outletsModule: e.OUTLETS_MODULE,
    waTransport: e.WA_TRANSPORT,
    whatsappCloud: cloud,
  };
}

/** Names the citizen-facing variables still at their placeholder, so start-up can warn about them. */
export function placeholdersInUse(config: Config): string[] {
  const { name, phone, email, privacyUrl } = config.comune;
  return Object.entries({
    COMUNE_NAME: name,
    CONTACT_PHONE: phone,
    CONTACT_EMAIL: email,
    PRIVACY_URL: privacyUrl,
  })
    .filter(([, value]) => value.includes(PLACEHOLDER))
    .map(([key]) => key);
}

/** The one reader of process.env: loads `.env` when present, then parses. */
export function loadConfig(role: Role): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(process.env, role);
}

/** Only what `npm run db:migrate` needs: where the database is. */
export function loadDatabaseConfig(): Pick<Config, 'databaseUrl' | 'dataDir' | 'dataDirLockWaitMs'> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const result = schema
    .pick({ DATABASE_URL: true, DATA_DIR: true, DATA_DIR_LOCK_WAIT_SECONDS: true })
    .safeParse(process.env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  }
  return {
    databaseUrl: result.data.DATABASE_URL,
    dataDir: result.data.DATA_DIR,
    dataDirLockWaitMs: result.data.DATA_DIR_LOCK_WAIT_SECONDS,
  };
}

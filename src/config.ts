import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { type CloudConfig, cloudConfig } from './config-cloud.js';
import { type Parsed, PLACEHOLDER, schema } from './config-schema.js';
import { SHARED_SENDER_IDS } from './core/shared-senders.js';

export type { CloudConfig } from './config-cloud.js';

export type Role = 'all' | 'bot' | 'bridge';

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

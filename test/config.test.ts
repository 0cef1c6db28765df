import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, placeholdersInUse } from '../src/config.js';

const bot = {
  TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRsTUVwxyZ012345',
  STAFF_CHAT_ID: '-1001234567890',
  ADMIN_TELEGRAM_IDS: '111, 222',
};

function problems(env: Record<string, string>, role: 'all' | 'bot' | 'bridge' = 'all'): string[] {
  try {
    parseConfig(env, role);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(bot, 'all');
    expect(config).toMatchObject({
      databaseUrl: undefined,
      dataDir: './data',
      sendRatePerMinute: 2,
      sendLimits: { maxPerHour: 80, maxPerDay: 1000, warmupDays: 7, maxAttempts: 5 },
      receiptRetentionHours: 72,
      deliveryRetentionDays: 90,
      waDownAlertMinutes: 10,
      autoReplyCooldownHours: 24,
      replyMaxPerSenderHour: 3,
      replyMaxDelayMinutes: 60,
      privacyVersion: '1',
      requireSecondApprover: true,
      sendWindow: { startMinute: 8 * 60, endMinute: 20 * 60 },
      port: 8080,
      logLevel: 'info',
      telegram: { apiRoot: 'https://api.telegram.org', staffChatId: -1001234567890, adminIds: [111, 222] },
    });
    expect(placeholdersInUse(config)).toEqual([
      'COMUNE_NAME',
      'CONTACT_PHONE',
      'CONTACT_EMAIL',
      'PRIVACY_URL',
    ]);
  });

  it('reads the sending window and the four-eyes switch', () => {
    const config = parseConfig(
      { ...bot, SEND_WINDOW: '07:30-21:15', REQUIRE_SECOND_APPROVER: 'false' },
      'all',
    );
    expect(config.sendWindow).toEqual({ startMinute: 450, endMinute: 1275 });
    expect(config.requireSecondApprover).toBe(false);
    expect(problems({ ...bot, SEND_WINDOW: '8-20' })).toEqual([
      'SEND_WINDOW: set it to a time range in Europe/Rome, e.g. 08:00-20:00',
    ]);
    expect(problems({ ...bot, SEND_PACING: 'off' })).toEqual([
      'SEND_PACING: off is only for tests against a stand-in socket; remove it to send to WhatsApp',
    ]);
    expect(problems({ ...bot, SEND_MAX_PER_HOUR: '0' })).toEqual([
      'SEND_MAX_PER_HOUR: set it to messages an hour, e.g. 80',
    ]);
  });

  it('reads the reply budget and refuses figures that would let replies flood', () => {
    const config = parseConfig(
      { ...bot, REPLY_MAX_PER_SENDER_HOUR: '5', REPLY_MAX_DELAY_MINUTES: '30' },
      'all',
    );
    expect(config).toMatchObject({ replyMaxPerSenderHour: 5, replyMaxDelayMinutes: 30 });
    expect(
      problems({ ...bot, REPLY_MAX_PER_SENDER_HOUR: '0', REPLY_MAX_DELAY_MINUTES: 'soon' }).sort(),
    ).toEqual([
      'REPLY_MAX_DELAY_MINUTES: set it to a number of minutes, e.g. 60',
      'REPLY_MAX_PER_SENDER_HOUR: set it to a number of replies, e.g. 3',
    ]);
    expect(problems({ ...bot, REPLY_MAX_PER_SENDER_HOUR: '500' })).toEqual([
      'REPLY_MAX_PER_SENDER_HOUR: set it to at most 20; every reply counts against the sending caps',
    ]);
  });

  it('keeps delivery rows at least as long as "Ritira" needs them', () => {
    expect(parseConfig({ ...bot, DELIVERY_RETENTION_DAYS: '30' }, 'all').deliveryRetentionDays).toBe(30);
    expect(problems({ ...bot, DELIVERY_RETENTION_DAYS: '2' })).toEqual([
      'DELIVERY_RETENTION_DAYS: set it to at least 3 days, e.g. 90; "Ritira" needs the rows for two days',
    ]);
    expect(problems({ ...bot, DELIVERY_RETENTION_DAYS: 'sempre' })).toEqual([
      'DELIVERY_RETENTION_DAYS: set it to a number of days, e.g. 90',
    ]);
  });

  it('names each missing bot variable on its own line', () => {
    const lines = problems({});
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TELEGRAM_BOT_TOKEN: /);
    expect(lines[1]).toMatch(/^STAFF_CHAT_ID: /);
    expect(lines[2]).toMatch(/^ADMIN_TELEGRAM_IDS: /);
  });

  it("refuses Telegram's shared senders as configured admins", () => {
    expect(problems({ ...bot, ADMIN_TELEGRAM_IDS: '111, 1087968824' }, 'all')).toEqual([
      "ADMIN_TELEGRAM_IDS: 1087968824 is Telegram's shared sender for anonymous admins or channels, not a person; remove it and list the admins' own user ids",
    ]);
  });

  it('lets the bridge run without the bot variables, on Postgres', () => {
    expect(problems({ DATABASE_URL: 'postgres://x@h/db' }, 'bridge')).toEqual([]);
  });

  it('stops a single role on the embedded database, saying why', () => {
    const [line] = problems(bot, 'bot');
    expect(line).toMatch(/^DATABASE_URL: .*PGlite/);
  });

  it('names bad values and what to set', () => {
    const lines = problems({
      ...bot,
      SEND_RATE_PER_MINUTE: 'fast',
      PORT: '99999',
      STAFF_CHAT_ID: 'group',
      LOG_LEVEL: 'loud',
    });
    expect(lines.map((line) => line.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'SEND_RATE_PER_MINUTE',
      'STAFF_CHAT_ID',
    ]);
    for (const line of lines) expect(line.length).toBeGreaterThan(15);
  });

  it('reads the public archive address, the appended link and the Telegram channel', () => {
    expect(parseConfig(bot, 'all')).toMatchObject({
      publicBaseUrl: undefined,
      bulletinLink: false,
      telegramChannelId: undefined,
    });
    expect(
      parseConfig(
        {
          ...bot,
          PUBLIC_BASE_URL: 'https://notizie.comune.example.it/',
          BULLETIN_LINK: 'true',
          TELEGRAM_CHANNEL_ID: '@comunegreve',
        },
        'all',
      ),
    ).toMatchObject({
      publicBaseUrl: 'https://notizie.comune.example.it',
      bulletinLink: true,
      telegramChannelId: '@comunegreve',
    });
    expect(problems({ ...bot, BULLETIN_LINK: 'true' })).toEqual([
      expect.stringMatching(/^BULLETIN_LINK: needs PUBLIC_BASE_URL/),
    ]);
    expect(
      problems({ ...bot, PUBLIC_BASE_URL: 'notizie.comune.it', TELEGRAM_CHANNEL_ID: 'canale' })
        .map((l) => l.split(':')[0])
        .sort(),
    ).toEqual(['PUBLIC_BASE_URL', 'TELEGRAM_CHANNEL_ID']);
  });

  it('reads the waits of one owner per database: the data directory lock, the standby poll, the shutdown', () => {
    expect(parseConfig(bot, 'all')).toMatchObject({
      dataDirLockWaitMs: 30_000,
      standbyPollMs: 2_000,
      shutdownTimeoutMs: 15_000,
      machine: expect.any(String),
    });
    expect(
      parseConfig(
        {
          ...bot,
          DATA_DIR_LOCK_WAIT_SECONDS: '0.5',
          STANDBY_POLL_SECONDS: '0.2',
          SHUTDOWN_TIMEOUT_SECONDS: '1',
          FLY_MACHINE_ID: '148ed193b95e89',
        },
        'all',
      ),
    ).toMatchObject({
      dataDirLockWaitMs: 500,
      standbyPollMs: 200,
      shutdownTimeoutMs: 1_000,
      machine: '148ed193b95e89',
    });
    expect(problems({ ...bot, STANDBY_POLL_SECONDS: '10' })).toEqual([
      'STANDBY_POLL_SECONDS: set it to at most 3 seconds, so a standby takes over within 15 s',
    ]);
    expect(problems({ ...bot, DATA_DIR_LOCK_WAIT_SECONDS: 'forever' })).toEqual([
      'DATA_DIR_LOCK_WAIT_SECONDS: set it to a number of seconds, e.g. 30',
    ]);
  });

  it('treats empty values as unset, as .env files often have them', () => {
    expect(
      parseConfig({ ...bot, DATABASE_URL: '', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' }, 'all'),
    ).toMatchObject({
      databaseUrl: undefined,
      telegram: { apiRoot: 'http://127.0.0.1:8081' },
    });
  });
});

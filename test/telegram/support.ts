import { Writable } from 'node:stream';
import type { Bot } from 'grammy';
import type { Message, Update } from 'grammy/types';
import { pino } from 'pino';
import { type Config, parseConfig } from '../../src/config.js';
import type { OutletName } from '../../src/core/outlets.js';
import type { Db } from '../../src/db/client.js';
import { createBot } from '../../src/telegram/bot.js';
import type { BotContext } from '../../src/telegram/context.js';
import { type BotApiRecorder, botInfo, messageUpdate, person, recordBotApi } from '../helpers/bot-api.js';

export const STAFF_CHAT = -1001234567890;
export const OTHER_GROUP = -1009876543210;

export const admin = person(1, 'Anna');
export const redattore = person(10, 'Rita');
export const approvatore = person(20, 'Aldo');
export const stranger = person(99, 'Ugo');

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig(
    {
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ADMIN_TELEGRAM_IDS: String(admin.id),
      // Always open, so a test run at night is not held for the morning; window tests narrow it.
      SEND_WINDOW: '00:00-24:00',
      ...overrides,
    },
    'all',
  );
}

/** A pino logger whose lines are kept, parsed, for assertions. */
export function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export type TestBot = {
  bot: Bot<BotContext>;
  api: BotApiRecorder;
  lines: Record<string, unknown>[];
  /** Sends a text message (a command when it starts with /) as `from` in `chatId`. */
  say(from: typeof admin, text: string, options?: { chatId?: number; replyTo?: Message }): Promise<void>;
  /** The texts the bot sent with sendMessage, oldest first. */
  sent(): string[];
};

/** The staff bot on the given database, with a recorded Bot API; `env` overrides the configuration. */
export function createTestBot(
  db: Db,
  env: Record<string, string> = {},
  /** The outlets staff can choose (main.ts's configuredOutlets); WhatsApp 1:1 alone when unset. */
  options: { outlets?: readonly OutletName[] } = {},
): TestBot {
  const { logger, lines } = captureLogger();
  const bot = createBot({ config: testConfig(env), db, logger, botInfo, ...options });
  const api = recordBotApi(bot.api);
  return {
    bot,
    api,
    lines,
    say: (from, text, options = {}) =>
      bot.handleUpdate(
        messageUpdate({
          chatId: options.chatId ?? STAFF_CHAT,
          from,
          text,
          ...(options.replyTo ? { replyTo: options.replyTo } : {}),
        }) as Update,
      ),
    sent: () => api.calls('sendMessage').map((p) => String(p.text)),
  };
}

import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Config } from '../config.js';
import type { Database, Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { approvalFeature } from './approval.js';
import { attachLogger, type BotContext } from './context.js';
import { draftPickersFeature } from './draft-pickers.js';
import { draftsFeature } from './drafts.js';
import { handleUpdateError } from './errors.js';
import { staffChatOnly } from './guard.js';
import { helpFeature } from './help.js';
import { importFeature, startImportExpiry } from './import.js';
import { linkFeature } from './link.js';
import { listsFeature } from './lists.js';
import { startNoticePoster } from './notice-poster.js';
import { startPolling } from './polling.js';
import { startQrMessage } from './qr-message.js';
import { registerFeature } from './register.js';
import { rolesFeature } from './roles.js';
import { schedulingFeature } from './scheduling.js';
import { statusButtonsFeature } from './status-buttons.js';
import { startStatusUpdater } from './status-updater.js';
import { subscribersFeature } from './subscribers.js';
import { commandMenu } from './texts.js';

type TelegramConfig = NonNullable<Config['telegram']>;

function telegramConfig(config: Config): TelegramConfig {
  if (!config.telegram) {
    throw new Error('the bot needs TELEGRAM_BOT_TOKEN, STAFF_CHAT_ID and ADMIN_TELEGRAM_IDS');
  }
  return config.telegram;
}

/** The staff bot with every feature installed; it acts only in the staff group. */
export function createBot(options: {
  config: Config;
  db: Db;
  logger: Logger;
  botInfo?: UserFromGetMe;
}): Bot<BotContext> {
  const telegram = telegramConfig(options.config);
  const bot = new Bot<BotContext>(telegram.token, {
    client: { apiRoot: telegram.apiRoot },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const deps = { db: options.db, adminIds: telegram.adminIds, config: options.config };

  // One chat's updates in order (the runner handles updates concurrently).
  bot.use(sequentialize((ctx) => ctx.chatId?.toString()));
  bot.use(attachLogger(options.logger));
  bot.use(staffChatOnly(telegram.staffChatId));
  bot
    .errorBoundary(handleUpdateError)
    .use(
      helpFeature(deps),
      rolesFeature(deps),
      draftsFeature(deps),
      draftPickersFeature(deps),
      subscribersFeature(deps),
      statusButtonsFeature(deps),
      approvalFeature(deps),
      schedulingFeature(deps),
      linkFeature(deps),
      listsFeature(deps),
      registerFeature(deps),
      importFeature(deps),
    )
    // A button no feature knows (from an older version of the bot): stop its spinner, do nothing.
    .on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
  bot.catch((error) => {
    // Only reached when the boundary itself could not run (the logger or guard failed).
    options.logger.error({ err: error.error, update_id: error.ctx.update.update_id }, 'update failed');
  });
  return bot;
}

export type RunningBot = { stop(): Promise<void>; state(): 'starting' | 'running' | 'stopped' };

/** Starts long polling, the staff notice poster and the live status messages; fails only when Telegram rejects the bot. */
export async function startBot(options: {
  config: Config;
  database: Database;
  logger: Logger;
}): Promise<RunningBot> {
  const { database, logger } = options;
  const telegram = telegramConfig(options.config);
  let state: 'starting' | 'running' | 'stopped' = 'starting';
  const bot = createBot({ config: options.config, db: database.db, logger });
  // auto-retry's limits default to unbounded; a flood wait past 30 s fails the call instead.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  await bot.init();
  logger.info({ username: bot.botInfo.username }, 'telegram bot ready');

  await bot.api
    .setMyCommands(commandMenu(), { scope: { type: 'chat', chat_id: telegram.staffChatId } })
    .catch((err: unknown) => logger.warn({ err }, 'could not set the command menu'));

  const poster = await startNoticePoster({
    db: database.db,
    listen: database.listen,
    api: bot.api,
    staffChatId: telegram.staffChatId,
    logger: logger.child({ component: 'staff-notices' }),
  });
  const status = await startStatusUpdater({
    db: database.db,
    listen: database.listen,
    api: bot.api,
    staffChatId: telegram.staffChatId,
    pacing: {
      ratePerMinute: options.config.sendRatePerMinute,
      maxPerHour: options.config.sendLimits.maxPerHour,
      maxPerDay: options.config.sendLimits.maxPerDay,
      warmupDays: options.config.sendLimits.warmupDays,
    },
    logger: logger.child({ component: 'status-messages' }),
  });
  const qr = await startQrMessage({
    db: database.db,
    listen: database.listen,
    api: bot.api,
    staffChatId: telegram.staffChatId,
    logger: logger.child({ component: 'qr-message' }),
  });
  const importExpiry = startImportExpiry(database.db, logger.child({ component: 'imports' }));
  const polling = startPolling(bot, logger);
  state = 'running';

  return {
    state: () => (state === 'running' && !polling.isRunning() ? 'stopped' : state),
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await polling.stop();
      await poster.stop();
      await status.stop();
      await qr.stop();
      importExpiry.stop();
    },
  };
}

import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Config } from '../config.js';
import type { OutletName } from '../core/outlets.js';
import type { Database, Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { approvalFeature } from './approval.js';
import { channelFeature, startChannelReplies } from './channel.js';
import { channelMembership } from './channel-membership.js';
import { checkTelegramChannel, createTelegramChannelOutlet } from './channel-outlet.js';
import { attachLogger, type BotContext } from './context.js';
import { draftPickersFeature } from './draft-pickers.js';
import { draftsFeature } from './drafts.js';
import { handleUpdateError } from './errors.js';
import { followGroupUpgrade } from './group-upgrade.js';
import { staffChatOnly } from './guard.js';
import { helpFeature } from './help.js';
import { importFeature, startImportExpiry } from './import.js';
import { linkFeature } from './link.js';
import { listsFeature } from './lists.js';
import { startNoticePoster } from './notice-poster.js';
import { type Polling, startPolling } from './polling.js';
import { startQrMessage } from './qr-message.js';
import { describeRefusal, reachTelegram, TelegramRefused } from './reach.js';
import { registerFeature } from './register.js';
import { rolesFeature } from './roles.js';
import { schedulingFeature } from './scheduling.js';
import { createStaffChat, type StaffChat } from './staff-chat.js';
import { statusButtonsFeature } from './status-buttons.js';
import { statusPacing } from './status-pacing.js';
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
  /** Shared with whatever else posts to the staff group, so all follow a group upgrade. */
  staffChat?: StaffChat;
  /** The outlets staff can choose for a bulletin (WhatsApp 1:1 alone when unset). */
  outlets?: readonly OutletName[];
}): Bot<BotContext> {
  const telegram = telegramConfig(options.config);
  const staffChat = options.staffChat ?? createStaffChat(telegram.staffChatId);
  const bot = new Bot<BotContext>(telegram.token, {
    client: { apiRoot: telegram.apiRoot },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const deps = {
    db: options.db,
    adminIds: telegram.adminIds,
    config: { ...options.config, ...(options.outlets ? { outlets: options.outlets } : {}) },
  };

  // One chat's updates in order (the runner handles updates concurrently).
  bot.use(sequentialize((ctx) => ctx.chatId?.toString()));
  bot.use(attachLogger(options.logger));
  bot.use(followGroupUpgrade(staffChat));
  bot.use(channelMembership({ staffChat, channelId: options.config.telegramChannelId }));
  bot.use(staffChatOnly(staffChat));
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
      channelFeature(deps),
    )
    // A button no feature knows (from an older version of the bot): stop its spinner, do nothing.
    .on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
  bot.catch((error) => {
    // Only reached when the boundary itself could not run (the logger or guard failed).
    options.logger.error({ err: error.error, update_id: error.ctx.update.update_id }, 'update failed');
  });
  return bot;
}

export type BotState = 'starting' | 'running' | 'stopped';

export type RunningBot = {
  stop(): Promise<void>;
  state(): BotState;
  /** Why the bot stopped by itself (Telegram refused the token, another poller took over). */
  failure(): string | undefined;
};

/**
 * Starts the staff bot in the background and returns at once: it asks Telegram who it is until
 * Telegram answers (an outage at start-up holds up neither the bridge nor /healthz), then sets the
 * command menu and starts long polling, the staff notice poster and the live status messages. It
 * stops by itself only when Telegram refuses the token or another poller takes over.
 */
export async function startBot(options: {
  config: Config;
  database: Database;
  logger: Logger;
  outlets?: readonly OutletName[];
}): Promise<RunningBot> {
  const { database, logger } = options;
  const telegram = telegramConfig(options.config);
  const staffChat = createStaffChat(telegram.staffChatId);
  const bot = createBot({
    config: options.config,
    db: database.db,
    logger,
    staffChat,
    ...(options.outlets ? { outlets: options.outlets } : {}),
  });
  const abort = new AbortController();
  const running: { stop(): Promise<void> }[] = [];
  let polling: Polling | undefined;
  let stopped = false;
  let failure: string | undefined;

  // grammY types its signals with the abort-controller shim's AbortSignal; Node's is the same thing.
  const signal = abort.signal as Parameters<typeof bot.api.getMe>[0];

  async function start() {
    bot.botInfo = await reachTelegram(() => bot.api.getMe(signal), { signal: abort.signal, logger });
    // Its limits default to unbounded; a flood wait past 30 s fails the call instead. A network
    // error it retries without bound, silently, waiting up to an hour between tries: so not for
    // getMe (above) nor getUpdates, which the runner retries and polling.ts logs.
    const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 });
    bot.api.config.use((prev, method, payload, signal) =>
      method === 'getUpdates' ? prev(method, payload, signal) : retry(prev, method, payload, signal),
    );
    logger.info({ username: bot.botInfo.username }, 'telegram bot ready');
    await bot.api
      .setMyCommands(
        commandMenu(options.config.waTransport),
        {
          scope: { type: 'chat', chat_id: telegram.staffChatId },
        },
        signal,
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not set the command menu'));
    if (options.config.telegramChannelId) {
      const channelId = options.config.telegramChannelId;
      const outlet = createTelegramChannelOutlet({ api: bot.api, channelId, botId: bot.botInfo.id, logger });
      await checkTelegramChannel(outlet, logger);
    }
    const common = {
      db: database.db,
      listen: database.listen,
      api: bot.api,
      staffChat,
    };
    running.push(
      await startNoticePoster({ ...common, logger: logger.child({ component: 'staff-notices' }) }),
    );
    running.push(
      await startStatusUpdater({
        ...common,
        pacing: statusPacing(options.config),
        // The Cloud API has no delete (status-buttons.ts refuses "Ritira" there).
        oneToOneRevoke: options.config.waTransport !== 'cloud',
        logger: logger.child({ component: 'status-messages' }),
      }),
    );
    running.push(await startQrMessage({ ...common, logger: logger.child({ component: 'qr-message' }) }));
    running.push(await startChannelReplies({ ...common, logger: logger.child({ component: 'channel' }) }));
    const importExpiry = startImportExpiry(database.db, logger.child({ component: 'imports' }));
    running.push({ stop: async () => importExpiry.stop() });
    if (abort.signal.aborted) return;
    polling = startPolling(bot, logger);
    running.push(polling);
  }

  const started = start().catch((err: unknown) => {
    if (abort.signal.aborted) return;
    failure = describeRefusal(err);
    if (err instanceof TelegramRefused) logger.error({ reason: failure }, 'telegram refused the bot');
    else logger.error({ err }, 'telegram bot failed to start');
  });

  return {
    state: () => {
      if (stopped || failure !== undefined) return 'stopped';
      if (!polling) return 'starting';
      return polling.isRunning() ? 'running' : 'stopped';
    },
    failure: () => failure ?? polling?.failure(),
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      await started;
      // Polling first (it was started last): no new update is taken while the rest winds down.
      for (const part of running.reverse()) await part.stop();
    },
  };
}

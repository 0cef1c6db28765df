import { run } from '@grammyjs/runner';
import type { Bot, BotError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.js';
import type { BotContext } from './context.js';
import { describeRefusal } from './reach.js';

export type Polling = {
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Why Telegram ended the polling (401: token revoked; 409: another poller took over). */
  failure(): string | undefined;
};

/**
 * Long polling through @grammyjs/runner. The runner confirms a batch with the getUpdates it sends
 * as soon as the batch arrives, so stop() waits for the updates in flight: they would not come back.
 */
export function startPolling(bot: Bot<BotContext>, logger: Logger): Polling {
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let failure: string | undefined;

  // The runner retries failed fetches on its own; `silent` keeps it off the console, so log here.
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok)
        logger.warn(
          { error_code: result.error_code, description: result.description },
          'fetching updates failed',
        );
      return result;
    } catch (err) {
      if (!signal?.aborted) logger.warn({ err }, 'fetching updates failed');
      throw err;
    }
  });

  const runner = run(
    {
      init: () => bot.init(),
      api: bot.api,
      errorHandler: (error: BotError<BotContext>) => bot.errorHandler(error),
      handleUpdate: (update: Update) => {
        const handled = bot.handleUpdate(update);
        inFlight.add(handled);
        handled.then(
          () => inFlight.delete(handled),
          () => inFlight.delete(handled),
        );
        return handled;
      },
    },
    {
      runner: {
        fetch: { allowed_updates: ['message', 'callback_query', 'my_chat_member'] },
        silent: true,
        // 100 ms more before each retry (the default doubles without bound: after an hour's outage
        // the bot would wait another hour); after 15 hours of failures the runner gives up.
        retryInterval: 'quadratic',
      },
    },
  );
  runner.task()?.catch((err: unknown) => {
    if (stopping) return;
    failure = describeRefusal(err);
    logger.error({ err, reason: failure }, 'telegram polling stopped');
  });

  return {
    isRunning: () => runner.isRunning(),
    failure: () => failure,
    async stop() {
      stopping = true;
      if (runner.isRunning()) await runner.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

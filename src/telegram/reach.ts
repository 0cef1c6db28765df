import { setTimeout as sleep } from 'node:timers/promises';
import { GrammyError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { scrubText } from '../log-scrub.js';
import type { Logger } from '../logger.js';

/** Telegram answered for good: the token is refused (401), or another poller holds it (409). */
export class TelegramRefused extends Error {}

const FOR_GOOD = new Set([401, 404, 409]);

/** Why Telegram stopped us, for /healthz and the logs: its code and words, never a URL. */
export function describeRefusal(err: unknown): string {
  if (err instanceof GrammyError) return `${err.error_code} ${err.description}`;
  return scrubText(err instanceof Error ? err.message : String(err));
}

/**
 * Asks Telegram who the bot is until it answers, waiting 1 s, 2 s, ... up to `maxDelayMs` between
 * tries, so a Telegram outage at start-up holds up nothing else (grammY's own bot.init would wait
 * silently, up to 20 minutes between tries). Throws TelegramRefused when the token is refused.
 */
export async function reachTelegram(
  getMe: () => Promise<UserFromGetMe>,
  options: { signal: AbortSignal; logger: Logger; maxDelayMs?: number },
): Promise<UserFromGetMe> {
  const { signal, logger } = options;
  let delayMs = 1_000;
  for (;;) {
    try {
      return await getMe();
    } catch (err) {
      signal.throwIfAborted();
      if (err instanceof GrammyError && FOR_GOOD.has(err.error_code)) {
        throw new TelegramRefused(describeRefusal(err));
      }
      logger.warn({ err, retryInMs: delayMs }, 'telegram unreachable; retrying');
    }
    // Rejects when aborted: stop() ends the wait at once.
    await sleep(delayMs, undefined, { signal });
    delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 15_000);
  }
}

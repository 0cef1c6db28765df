import { type Logger, pino } from 'pino';

export type { Logger };

/** The root logger; JSON to stdout, so Fly's log shipping reads it as is. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['*.text', '*.phoneJid', '*.lid', '*.jid'], censor: '[redatto]' },
  });
}

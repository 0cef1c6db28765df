import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { scrubLogValue, scrubText } from './log-scrub.js';

export type { Logger };
export { scrubText };

/**
 * The root logger; JSON to stdout, so Fly's log shipping reads it as is. Every line, at every level
 * and from every child (Baileys' included), goes through scrubLogValue first: its fields, its
 * message, its errors with their causes and stacks, and the bindings of child loggers. Tests pass
 * their own destination.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: undefined,
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        // pino's shorthand logger.error(err): the error goes under `err`, its message is the line's.
        const fields = first instanceof Error ? { err: first } : first;
        const message = first instanceof Error && rest.length === 0 ? [first.message] : rest;
        const scrubbed = [scrubLogValue(fields), ...message.map(scrubLogValue)];
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    // Errors arrive here already scrubbed into plain objects; pino's own serializer would rename them.
    serializers: { err: (err: unknown) => (err instanceof Error ? scrubLogValue(err) : err) },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino serializes a child's bindings once, when it is made, past every hook and formatter; a child
  // is Object.create(parent), so this one method serves every descendant.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return child.call(this, scrubLogValue(bindings) as typeof bindings, options);
  } as typeof child;
  return logger;
}

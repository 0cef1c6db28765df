/**
 * postgres.js 3.4.9 may write to a connection it has just closed, from a setImmediate
 * (porsager/postgres#1154 and #1208, fixes not released): an uncatchable TypeError that would end
 * the process whenever Postgres restarts, losing the inbound messages still held in memory. The
 * query it belonged to has already been rejected (CONNECTION_CLOSED) and is retried by its caller,
 * so this one error is safe to survive.
 */
export function isClosedSocketWrite(err: unknown): boolean {
  // Duck-typed: the test runner hands it over serialised, no longer a TypeError instance.
  const e = err as { name?: unknown; message?: unknown; stack?: unknown } | null | undefined;
  return (
    e?.name === 'TypeError' &&
    typeof e.message === 'string' &&
    e.message.includes("reading 'write'") &&
    /postgres[\\/]src[\\/]connection\.js/.test(String(e.stack ?? ''))
  );
}

/**
 * Seconds a new connection may take. postgres.js's default is 30, and a connection begun while a
 * server restarts can hang unanswered that long, holding the queries queued on it (measured: the
 * replies to 50 citizens waited ~25 s after a 2 s restart). A Postgres next to the program
 * answers in milliseconds; a slow network still has five seconds.
 */
export const CONNECT_TIMEOUT_SECONDS = 5;

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
 * postgres.js 3.4.9 fetches the array types on a new connection's first ready (its `fetch_types`)
 * and leaves that promise unawaited: when Postgres restarts just then, its CONNECTION_CLOSED is an
 * unhandled rejection (seen once in a clean CI run, database-blink test). The queries of ours on
 * that connection are rejected and retried by their callers; the program logs it and goes on.
 */
export function isClosedTypeFetch(err: unknown): boolean {
  const e = err as { code?: unknown; query?: unknown } | null | undefined;
  return (
    e?.code === 'CONNECTION_CLOSED' &&
    typeof e.query === 'string' &&
    e.query.includes('pg_catalog.pg_type') &&
    e.query.includes('typarray')
  );
}

/**
 * Seconds a new connection may take. postgres.js's default is 30, and a connection begun while a
 * server restarts can hang unanswered that long, holding the queries queued on it. A Postgres next
 * to the program answers in milliseconds; a slow network still has five seconds.
 */
const CONNECT_TIMEOUT_SECONDS = 5;

/**
 * Seconds before a closed connection is opened again. postgres.js counts failures for the whole
 * pool (every connection a restart ends, every query refused while the server is down) and waits
 * (0.5-1) x min(3^failures / 100, 20) s: after a 2 s restart the next query waited 10-20 s on a
 * server already back (measured: the bridge's replies and the tests' reads, 12-17 s). The same
 * curve, capped at 1 s: a down server is tried about once a second per connection.
 */
function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** failures / 100, 1);
}

/** The connection limits every postgres.js client of the program opens with. */
export const connectionLimits = {
  connect_timeout: CONNECT_TIMEOUT_SECONDS,
  backoff: reconnectDelaySeconds,
} as const;

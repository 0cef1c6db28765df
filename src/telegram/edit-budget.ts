/**
 * Telegram's limits for one group, as a budget: at most one edit of a message every
 * `perMessageMs`, and at most `perMinute` messages or edits in the group in any minute.
 */
export type EditBudget = {
  /** Whether message `key` may be edited now (its own interval has passed). */
  messageReady(key: number): boolean;
  /** Whether the group has room for one more message or edit this minute. */
  groupReady(): boolean;
  /** Counts one message or edit of `key`. */
  spend(key: number): void;
  forget(key: number): void;
};

export function createEditBudget(options: {
  perMessageMs: number;
  perMinute: number;
  now: () => number;
}): EditBudget {
  const lastEdit = new Map<number, number>();
  const recent: number[] = [];
  const prune = () => {
    const since = options.now() - 60_000;
    while (recent.length > 0 && (recent[0] ?? 0) <= since) recent.shift();
  };
  return {
    messageReady: (key) => options.now() - (lastEdit.get(key) ?? -Infinity) >= options.perMessageMs,
    groupReady() {
      prune();
      return recent.length < options.perMinute;
    },
    spend(key) {
      const at = options.now();
      lastEdit.set(key, at);
      recent.push(at);
    },
    forget: (key) => lastEdit.delete(key),
  };
}

import { DisconnectReason } from '@whiskeysockets/baileys';

/** What the bridge does when WhatsApp closes the connection. */
export type CloseAction =
  /** 515 after a fresh link: the server wants a new connection with the saved creds, now. */
  | 'reconnect_now'
  /** 408 (QR expired, timed out), 428, 500, 503 and anything unknown: wait, then try again. */
  | 'backoff'
  /** 440: another session took over this login; fighting it makes both loop. */
  | 'replaced'
  /** 401: the phone removed this device; the stored login is useless. */
  | 'logged_out'
  /** 403: WhatsApp refuses the number. */
  | 'banned'
  /** 405: this client version is no longer accepted. */
  | 'outdated';

/** The close code Baileys puts in `lastDisconnect.error` (a Boom error). */
export function closeCode(error: unknown): number | undefined {
  return (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
}

export function closeAction(code: number | undefined): CloseAction {
  switch (code) {
    case DisconnectReason.restartRequired:
      return 'reconnect_now';
    case DisconnectReason.connectionReplaced:
      return 'replaced';
    case DisconnectReason.loggedOut:
      return 'logged_out';
    case DisconnectReason.forbidden:
      return 'banned';
    case 405:
      return 'outdated';
    default:
      return 'backoff';
  }
}

/** Exponential backoff, capped, with jitter (half to all of the step) so restarts do not align. */
export function backoffDelay(
  failures: number,
  limits: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const step = Math.min(limits.maxMs, limits.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step * (0.5 + random() / 2));
}

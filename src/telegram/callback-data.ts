/**
 * Every inline button's data: `<action>:<bulletin id>[:<version>][:<arg>]`. Nothing in it is
 * trusted beyond naming a bulletin: the version only lets a press on an older preview be refused,
 * and every handler re-reads role and state on the server. The link's button names no bulletin
 * (id 0) and carries the digits of the number it confirms.
 */
export const BUTTON_ACTIONS = [
  // The preview (drafting: categories and target lists).
  'category', // open the category picker
  'setcat', // arg: a category key, or "none"
  'lists', // open the target-list picker
  'setlist', // arg: a list id to toggle
  'outlets', // open the outlet picker ("Canali")
  'setoutlet', // arg: an outlet name to toggle
  // The preview (decisions and scheduling).
  'approve',
  'reject',
  'withdraw',
  'schedule', // open the quick choices
  'when', // arg: a quick choice key
  'urgent',
  'unschedule',
  'scheduled', // shows the /programmati list again (its own "Indietro")
  // The live status message.
  'pause',
  'resume',
  'stop',
  'revoke',
  // Closes a picker and shows the preview's buttons again.
  'back',
  // Confirms a newly linked WhatsApp number (bulletin id 0; arg: the number's digits).
  'linkok',
] as const;

export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

export type ButtonData = { action: ButtonAction; bulletinId: number; version?: number; arg?: string };

/** Telegram allows 64 bytes of callback data. */
const MAX_DATA_BYTES = 64;

export function buttonData(data: ButtonData): string {
  const parts: (string | number)[] = [data.action, data.bulletinId];
  if (data.version !== undefined || data.arg !== undefined) parts.push(data.version ?? '');
  if (data.arg !== undefined) parts.push(data.arg);
  const encoded = parts.join(':');
  if (Buffer.byteLength(encoded) > MAX_DATA_BYTES) throw new Error('callback data longer than 64 bytes');
  return encoded;
}

const pattern = /^([a-z]+):(\d{1,9})(?::(\d{0,9}))?(?::([a-z0-9_-]{1,32}))?$/;

/** Undefined for anything that is not exactly a button of ours. */
export function parseButtonData(data: string): ButtonData | undefined {
  const match = pattern.exec(data);
  if (!match) return undefined;
  const action = BUTTON_ACTIONS.find((a) => a === match[1]);
  if (!action) return undefined;
  const parsed: ButtonData = { action, bulletinId: Number(match[2]) };
  if (match[3]) parsed.version = Number(match[3]);
  if (match[4] !== undefined) parsed.arg = match[4];
  return parsed;
}

/** A filter for `bot.callbackQuery(...)`: the data of one action's buttons. */
export function actionPattern(...actions: ButtonAction[]): RegExp {
  return new RegExp(`^(?:${actions.join('|')}):`);
}

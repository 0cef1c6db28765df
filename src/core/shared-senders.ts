/**
 * Telegram's shared senders: GroupAnonymousBot (an anonymous group admin) and Channel_Bot (a
 * message sent as a channel). Anyone may hide behind them, so they never hold a role.
 */
export const SHARED_SENDER_IDS: readonly number[] = [1087968824, 136817688];

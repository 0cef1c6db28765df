import {
  answerChannelRequest,
  type ChannelRequest,
  type ChannelRequestError,
  nextChannelRequest,
  POSTING_ROLES,
  updateChannelMetadata,
  whatsappChannelInfo,
} from '../core/whatsapp-channel.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type ChannelMetadata, readChannelMetadata } from './newsletter.js';
import type { BridgeSocket } from './socket.js';

export const CHANNEL_REQUESTS = 'banditore_channel_requests';

export type ChannelRequests = {
  /** WhatsApp is open: serve what waits and read the Channel's followers again. */
  onOpen(): void;
  stop(): Promise<void>;
};

/**
 * Serves staff's "/canale crea|collega" and "/canale" from the database with the linked number's
 * socket: creates the Channel (the number owns it), adopts one by its invite link (only if the
 * number is its owner or an admin: only they may post), reads its followers. Also reads the
 * followers again on each open and every `refreshMs`.
 */
export async function startChannelRequests(deps: {
  database: Pick<Database, 'db' | 'listen'>;
  socket(): BridgeSocket | undefined;
  isOpen(): boolean;
  logger: Logger;
  /**
   * Safety poll under LISTEN (60 s): after a lost connection the listener calls every handler
   * once, so this only covers what nothing else does, and an idle bridge need not wake for it.
   */
  pollMs?: number;
  refreshMs?: number;
}): Promise<ChannelRequests> {
  const { db } = deps.database;
  const log = deps.logger;
  let busy: Promise<void> = Promise.resolve();
  let stopped = false;

  async function metadataOf(socket: BridgeSocket, type: 'invite' | 'jid', key: string) {
    if (!socket.newsletterMetadata) throw new Error('this socket has no newsletter API');
    return readChannelMetadata(await socket.newsletterMetadata(type, key));
  }

  async function act(
    request: ChannelRequest,
  ): Promise<{ ok: true; channel: ChannelMetadata } | { ok: false; error: ChannelRequestError }> {
    const socket = deps.socket();
    if (!socket || !deps.isOpen()) return { ok: false, error: 'not_linked' };
    if (request.kind === 'create') {
      if (!socket.newsletterCreate) throw new Error('this socket has no newsletter API');
      const created = readChannelMetadata(await socket.newsletterCreate(request.argument ?? ''), 'OWNER');
      if (!created) throw new Error('unexpected newsletterCreate answer');
      // The creation answer has no role and sometimes no invite: read the Channel back.
      const read = await metadataOf(socket, 'jid', created.jid).catch(() => undefined);
      return { ok: true, channel: read ?? created };
    }
    if (request.kind === 'adopt') {
      const found = await metadataOf(socket, 'invite', request.argument ?? '').catch((err: unknown) => {
        log.warn({ err }, 'Channel invite not readable');
        return undefined;
      });
      if (!found) return { ok: false, error: 'invalid_link' };
      if (!POSTING_ROLES.includes(found.role)) return { ok: false, error: 'not_admin' };
      return { ok: true, channel: found };
    }
    const current = await whatsappChannelInfo(db);
    if (!current) return { ok: false, error: 'invalid_link' };
    const read = await metadataOf(socket, 'jid', current.jid);
    return read ? { ok: true, channel: read } : { ok: false, error: 'invalid_link' };
  }

  async function serve(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const request = await nextChannelRequest(db);
      if (!request) return;
      let answer: Awaited<ReturnType<typeof act>>;
      try {
        answer = await act(request);
      } catch (err) {
        log.warn({ err, kind: request.kind }, 'Channel request failed');
        answer = { ok: false, error: 'failed' };
      }
      await answerChannelRequest(db, request.id, answer);
      log.info({ kind: request.kind, ok: answer.ok }, 'Channel request answered');
    }
  }

  async function refreshFollowers(): Promise<void> {
    const socket = deps.socket();
    const channel = await whatsappChannelInfo(db);
    if (!socket || !deps.isOpen() || !channel) return;
    const read = await metadataOf(socket, 'jid', channel.jid);
    if (read) await updateChannelMetadata(db, read);
  }

  function run(work: () => Promise<void>) {
    busy = busy.then(work).catch((err: unknown) => log.warn({ err }, 'Channel work not done'));
    return busy;
  }

  const unlisten = await deps.database.listen(CHANNEL_REQUESTS, () => void run(serve));
  const timer = setInterval(() => void run(refreshFollowers), deps.refreshMs ?? 3_600_000);
  timer.unref();
  const poll = setInterval(() => void run(serve), deps.pollMs ?? 60_000);
  poll.unref();
  void run(serve);
  return {
    onOpen() {
      void run(serve);
      void run(refreshFollowers);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(poll);
      await unlisten();
      await busy;
    },
  };
}

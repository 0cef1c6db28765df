import { createHash } from 'node:crypto';
import type { AnyMessageContent, BinaryNode } from '@whiskeysockets/baileys';
import type { BroadcastOutlet, OutgoingBulletin, OutletFailure, PublishResult } from '../core/outlets.js';
import { POSTING_ROLES, updateChannelMetadata, whatsappChannelInfo } from '../core/whatsapp-channel.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';
import { whatsappMessageText } from './markup.js';
import { readChannelMetadata } from './newsletter.js';
import type { BridgeSocket } from './socket.js';

type Ack = { serverId: string | undefined } | { error: string } | 'timeout';

/** What a Channel post's id is made of, so Ritira reaches the post in the Channel it went to. */
export function channelExternalId(jid: string, messageId: string, serverId: string | undefined): string {
  return [jid, messageId, serverId ?? ''].join('|');
}

function parseExternalId(externalId: string) {
  const [jid, messageId, serverId] = externalId.split('|');
  return jid && messageId ? { jid, messageId, serverId: serverId || undefined } : undefined;
}

/** The same bulletin version always posts under the same id ('3EB0' + 18 hex, Baileys' shape). */
function postId(bulletin: OutgoingBulletin, part: 'media' | 'text'): string {
  const hash = createHash('sha256').update(`channel:${bulletin.bulletinId}:${bulletin.version}:${part}`);
  return `3EB0${hash.digest('hex').slice(0, 18).toUpperCase()}`;
}

function mediaContent(media: NonNullable<OutgoingBulletin['media']>, bytes: Buffer, caption: string) {
  const common = { mimetype: media.mimeType, caption };
  if (media.kind === 'image') return { image: bytes, ...common } satisfies AnyMessageContent;
  if (media.kind === 'video') return { video: bytes, ...common } satisfies AnyMessageContent;
  return { document: bytes, fileName: media.fileName ?? 'documento', ...common } satisfies AnyMessageContent;
}

const MEDIA_WORD = { image: 'immagine', video: 'video', document: 'documento' } as const;

const failed = (failure: OutletFailure, retryable: boolean, detail: string): PublishResult => ({
  ok: false,
  failure,
  retryable,
  detail,
});

/**
 * The WhatsApp Channel (Baileys' newsletter API): each bulletin posted once, as text in WhatsApp
 * markup. Media goes the newsletter media path first; where Baileys fails it, the text goes with
 * the archive link instead and the status says so. A post counts when WhatsApp acknowledges it
 * with its server id; without an ack in time it counts, noted as not confirmed (upstream reports
 * posts that vanish without an error).
 */
export function createWhatsappChannelOutlet(deps: {
  db: Queryable;
  socket(): BridgeSocket | undefined;
  isOpen(): boolean;
  logger: Logger;
  ackTimeoutMs?: number;
}): BroadcastOutlet {
  const ackTimeoutMs = deps.ackTimeoutMs ?? 15_000;
  const log = deps.logger;

  /** Sends and waits for WhatsApp's ack of that id (server_id on success, error otherwise). */
  async function post(socket: BridgeSocket, messageId: string, send: () => Promise<unknown>) {
    const ws = socket.ws;
    let listener: ((node: BinaryNode) => void) | undefined;
    const acked = new Promise<Ack>((resolve) => {
      if (!ws) return resolve('timeout');
      const timer = setTimeout(() => resolve('timeout'), ackTimeoutMs);
      listener = (node) => {
        if (node.attrs.id !== messageId) return;
        clearTimeout(timer);
        resolve(node.attrs.error ? { error: node.attrs.error } : { serverId: node.attrs.server_id });
      };
      ws.on('CB:ack,class:message', listener);
    });
    try {
      await send();
      return await acked;
    } finally {
      if (ws && listener) ws.off('CB:ack,class:message', listener);
    }
  }

  function result(jid: string, messageId: string, ack: Ack, note?: string): PublishResult {
    if (typeof ack === 'object' && 'error' in ack) {
      return failed('rejected', false, `WhatsApp refused the Channel post (error ${ack.error})`);
    }
    const serverId = ack === 'timeout' ? undefined : ack.serverId;
    const unconfirmed =
      ack === 'timeout' ? 'non confermato da WhatsApp: controlla il canale dal telefono' : '';
    const notes = [note, unconfirmed].filter(Boolean).join('; ');
    return {
      ok: true,
      externalId: channelExternalId(jid, messageId, serverId),
      ...(notes ? { note: notes } : {}),
    };
  }

  async function publish(bulletin: OutgoingBulletin): Promise<PublishResult> {
    const socket = deps.socket();
    if (!socket || !deps.isOpen()) return failed('unreachable', true, 'WhatsApp is not connected');
    const channel = await whatsappChannelInfo(deps.db);
    if (!channel) return failed('not_found', false, 'no WhatsApp Channel is set');
    if (!POSTING_ROLES.includes(channel.role)) {
      return failed('not_allowed', false, `the linked number is ${channel.role} of the Channel, not admin`);
    }
    const text = whatsappMessageText(bulletin);
    let note: string | undefined;
    try {
      if (bulletin.media) {
        const { media } = bulletin;
        const messageId = postId(bulletin, 'media');
        try {
          const content = mediaContent(media, await media.bytes(), text);
          const ack = await post(socket, messageId, () =>
            socket.sendMessage(channel.jid, content, { messageId }),
          );
          if (!(typeof ack === 'object' && 'error' in ack)) return result(channel.jid, messageId, ack);
          note = `${MEDIA_WORD[media.kind]} non inviata: WhatsApp l'ha rifiutata (errore ${ack.error})`;
        } catch (err) {
          if (!deps.isOpen()) throw err;
          log.warn({ err, bulletinId: bulletin.bulletinId }, 'Channel media post failed; posting the text');
          note = `${MEDIA_WORD[media.kind]} non inviata: ${err instanceof Error ? err.message : String(err)}`;
        }
        if (!bulletin.link) note += ' (senza link all’archivio: PUBLIC_BASE_URL non impostato)';
      }
      const messageId = postId(bulletin, 'text');
      const ack = await post(socket, messageId, () =>
        socket.sendMessage(channel.jid, { text, linkPreview: null }, { messageId }),
      );
      return result(channel.jid, messageId, ack, note);
    } catch (err) {
      log.warn({ err, bulletinId: bulletin.bulletinId }, 'Channel post failed');
      return deps.isOpen()
        ? failed('unknown', true, err instanceof Error ? err.message : String(err))
        : failed('unreachable', true, 'WhatsApp connection lost');
    }
  }

  return {
    name: 'whatsapp_channel',
    capabilities: { revoke: true, media: true, paced: false },
    publish,
    /**
     * rc14's `sendMessage(jid, { delete: key })` sends a REVOKE message under a new id with
     * edit="7", the shape of a 1:1 delete. A Channel admin's delete is, as WhatsApp's clients and
     * whatsmeow send it, the post's own id with edit="8" and an empty plaintext: relayed so here.
     */
    async revoke(externalId) {
      const target = parseExternalId(externalId);
      const socket = deps.socket();
      if (!target || !socket || !deps.isOpen()) return false;
      try {
        const ack = await post(socket, target.messageId, () =>
          socket.relayMessage(
            target.jid,
            {},
            { messageId: target.messageId, additionalAttributes: { edit: '8' } },
          ),
        );
        return !(typeof ack === 'object' && 'error' in ack);
      } catch (err) {
        log.warn({ err }, 'Channel post not deleted');
        return false;
      }
    },
    async health() {
      const channel = await whatsappChannelInfo(deps.db);
      if (!channel) return { ok: false, detail: 'nessun canale impostato (/canale crea o /canale collega)' };
      const socket = deps.socket();
      if (!socket || !deps.isOpen()) return { ok: false, detail: `${channel.name}: WhatsApp non collegato` };
      let role = channel.role;
      try {
        const read = readChannelMetadata(await socket.newsletterMetadata?.('jid', channel.jid));
        if (read) {
          role = read.role;
          await updateChannelMetadata(deps.db, read);
        }
      } catch (err) {
        log.warn({ err }, 'Channel metadata not readable');
      }
      return POSTING_ROLES.includes(role)
        ? { ok: true, detail: `${channel.name}: pronto` }
        : { ok: false, detail: `${channel.name}: il numero collegato non ne è più amministratore` };
    },
  };
}

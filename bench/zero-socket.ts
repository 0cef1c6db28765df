import { makeEventBuffer, proto, type WAMessage } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import type { BridgeSocket, MakeSocket } from '../src/whatsapp/socket.js';

/** Counts what the bridge relays; `onRelay` sees each message id as the socket takes it. */
export type ZeroSocket = { makeSocket: MakeSocket; relayed(): number; onRelay?: (messageId: string) => void };

/**
 * A linked WhatsApp socket that takes every message at once: what remains is our own cost
 * (claiming, marking, building the message), which is what the benchmark measures.
 */
export function zeroLatencySocket(): ZeroSocket {
  let relayed = 0;
  const zero: ZeroSocket = {
    relayed: () => relayed,
    makeSocket: (options) => {
      const ev = makeEventBuffer(pino({ level: 'silent' }));
      const socket: BridgeSocket = {
        ev,
        user: { id: '390550000000:1@s.whatsapp.net' },
        async sendMessage(jid, _content, opts) {
          return proto.WebMessageInfo.fromObject({
            key: { remoteJid: jid, fromMe: true, id: opts?.messageId ?? 'X' },
          }) as WAMessage;
        },
        async relayMessage(_jid, _message, opts) {
          relayed += 1;
          zero.onRelay?.(opts.messageId ?? '');
          return opts.messageId ?? '';
        },
        async waUploadToServer() {
          return { mediaUrl: 'https://mmg.whatsapp.net/zero', directPath: '/zero' };
        },
        async onWhatsApp(...jids: string[]) {
          return jids.map((jid) => ({ jid, exists: true }));
        },
        async rejectCall() {},
        end() {},
      };
      options.auth.creds.me = { id: '390550000000:1@s.whatsapp.net' };
      setImmediate(() => {
        ev.emit('connection.update', { connection: 'open' });
        ev.emit('connection.update', { receivedPendingNotifications: true });
      });
      return socket;
    },
  };
  return zero;
}

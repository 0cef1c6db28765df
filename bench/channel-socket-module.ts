import { appendFileSync } from 'node:fs';
import type { MakeSocket } from '../src/whatsapp/socket.js';
import { createStandInSocket } from '../test/helpers/wa-socket.js';

/**
 * Loaded by the real program through WA_SOCKET_MODULE in bench/outlets.ts: the linked stand-in
 * socket (it acks Channel posts as WhatsApp does), appending each WhatsApp Channel post (its text
 * and when it was handed to the socket) to BENCH_CHANNEL_FILE.
 */
export const makeSocket: MakeSocket = (options) => {
  const standIn = createStandInSocket(options);
  const file = process.env.BENCH_CHANNEL_FILE;
  if (!file) throw new Error('BENCH_CHANNEL_FILE is not set');
  const send = standIn.socket.sendMessage;
  standIn.socket.sendMessage = async (jid, content, opts) => {
    if (jid.endsWith('@newsletter')) {
      const text = 'text' in content ? String(content.text) : '';
      appendFileSync(file, `${JSON.stringify({ text, at: Date.now() })}\n`);
    }
    return send(jid, content, opts);
  };
  setTimeout(() => standIn.open(), 20);
  return standIn.socket;
};

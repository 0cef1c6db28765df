import { appendFileSync } from 'node:fs';
import type { BridgeDeps } from '../../src/whatsapp/bridge.js';
import type { MakeSocket } from '../../src/whatsapp/socket.js';
import { createStandInSocket } from './wa-socket.js';

/**
 * Loaded by the real program through WA_SOCKET_MODULE in the crash tests: a linked stand-in that
 * takes a few milliseconds per send and appends each bulletin send (jid and message id) to
 * STANDIN_SENT_FILE synchronously, so what "reached WhatsApp" survives a SIGKILL.
 */
export const makeSocket: MakeSocket = (options) => {
  const standIn = createStandInSocket(options);
  const file = process.env.STANDIN_SENT_FILE;
  if (!file) throw new Error('STANDIN_SENT_FILE is not set');
  const relay = standIn.socket.relayMessage;
  standIn.socket.relayMessage = async (jid, message, opts) => {
    await new Promise((resolve) => setTimeout(resolve, 3));
    const id = await relay(jid, message, opts);
    appendFileSync(file, `${JSON.stringify({ jid, id })}\n`);
    return id;
  };
  setTimeout(() => standIn.open(), 20);
  return standIn.socket;
};

/** A short lease, so a restarted program takes over a killed one's rows quickly. */
export const senderTuning: BridgeDeps['sender'] = { leaseSeconds: 2, batchSize: 50 };

import { appendFileSync } from 'node:fs';
import type { BridgeDeps } from '../../src/whatsapp/bridge.js';
import type { MakeSocket } from '../../src/whatsapp/socket.js';
import { createStandInSocket } from './wa-socket.js';

/**
 * Loaded by the real program through WA_SOCKET_MODULE in the crash tests: a linked stand-in that
 * takes a few milliseconds per send and appends each bulletin send (jid, message id and the
 * sending process) to STANDIN_SENT_FILE synchronously, so what "reached WhatsApp" survives a
 * SIGKILL. With STANDIN_SOCKETS_FILE it also appends when a socket is made and ended;
 * STANDIN_SEND_MS sets the time a send takes; with STANDIN_HANG_SENDS=1 no send ever completes
 * (a shutdown that cannot finish), and the sockets file says when the first one started.
 */
export const makeSocket: MakeSocket = (options) => {
  const standIn = createStandInSocket(options);
  const file = process.env.STANDIN_SENT_FILE;
  if (!file) throw new Error('STANDIN_SENT_FILE is not set');
  const sockets = process.env.STANDIN_SOCKETS_FILE;
  const lifecycle = (event: 'open' | 'end' | 'hang') => {
    if (sockets) appendFileSync(sockets, `${JSON.stringify({ event, pid: process.pid, at: Date.now() })}\n`);
  };
  const hang = process.env.STANDIN_HANG_SENDS === '1';
  const sendMs = Number(process.env.STANDIN_SEND_MS ?? 3);
  const relay = standIn.socket.relayMessage;
  standIn.socket.relayMessage = async (jid, message, opts) => {
    if (hang) {
      lifecycle('hang');
      await new Promise(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, sendMs));
    const id = await relay(jid, message, opts);
    appendFileSync(file, `${JSON.stringify({ jid, id, pid: process.pid })}\n`);
    return id;
  };
  const end = standIn.socket.end;
  standIn.socket.end = (error) => {
    if (!standIn.isEnded()) lifecycle('end');
    end(error);
  };
  lifecycle('open');
  setTimeout(() => standIn.open(), 20);
  return standIn.socket;
};

/**
 * A short lease, so a restarted program takes over a killed one's rows quickly; a short first
 * backoff, so a send cut off by the socket's end (a lost role lock) is not 30 s away.
 */
export const senderTuning: BridgeDeps['sender'] = { leaseSeconds: 2, batchSize: 50, retrySeconds: 1 };

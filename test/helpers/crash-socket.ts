import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BridgeDeps } from '../../src/whatsapp/bridge.js';
import type { MakeSocket } from '../../src/whatsapp/socket.js';
import { createStandInSocket, incomingText, readableText } from './wa-socket.js';

/** Phone jid of the n-th citizen writing "Iscrizione" in the crash rounds. */
export const optInJid = (n: number) => `39${4_000_000_000 + n}@s.whatsapp.net`;
export const optInMessageId = (n: number) => `3AOPTIN${String(n).padStart(13, '0')}`;

function lineCount(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/**
 * Loaded by the real program through WA_SOCKET_MODULE in the crash rounds. Every bulletin send is
 * appended (jid, id, text) to STANDIN_SENT_FILE, synchronously, so what "reached WhatsApp"
 * survives a SIGKILL. Once open, a new citizen writes "Iscrizione" every STANDIN_OPTIN_MS; each
 * is appended to STANDIN_INBOUND_FILE just before it is handed over (WhatsApp acknowledges a
 * message before the program has it, and never hands it over again), numbered on from the
 * previous life's. Replies go to STANDIN_REPLY_FILE.
 */
export const makeSocket: MakeSocket = (options) => {
  const standIn = createStandInSocket(options);
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const sentFile = env('STANDIN_SENT_FILE');
  const inboundFile = env('STANDIN_INBOUND_FILE');
  const replyFile = env('STANDIN_REPLY_FILE');
  const { relayMessage, sendMessage } = standIn.socket;
  standIn.socket.relayMessage = async (jid, message, opts) => {
    await new Promise((resolve) => setTimeout(resolve, 3));
    const id = await relayMessage(jid, message, opts);
    appendFileSync(sentFile, `${JSON.stringify({ jid, id, text: readableText(message) })}\n`);
    return id;
  };
  standIn.socket.sendMessage = async (jid, content, opts) => {
    const sent = await sendMessage(jid, content, opts);
    appendFileSync(replyFile, `${JSON.stringify({ jid })}\n`);
    return sent;
  };
  let next = lineCount(inboundFile) + 1;
  const optIns = setInterval(
    () => {
      if (standIn.isEnded()) return;
      const n = next++;
      appendFileSync(inboundFile, `${n}\n`);
      standIn.receive([incomingText({ from: optInJid(n), text: 'Iscrizione', id: optInMessageId(n) })]);
    },
    Number(process.env.STANDIN_OPTIN_MS ?? 150),
  );
  optIns.unref();
  setTimeout(() => standIn.open(), 20);
  return standIn.socket;
};

/** A short lease, so a restarted program takes over a killed one's rows quickly. */
export const senderTuning: BridgeDeps['sender'] = { leaseSeconds: 1, batchSize: 5 };

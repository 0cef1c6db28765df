import type { MakeSocket } from '../../src/whatsapp/socket.js';
import { socketConfig } from '../../src/whatsapp/socket.js';
import { makeSocket as recordingSocket } from './recording-socket.js';
import { incomingText } from './wa-socket.js';

export { senderTuning } from './recording-socket.js';

/** The LID the n-th number of STANDIN_INBOUND writes from. */
export const standInLid = (n: number) => `${140_000_000_000_000 + n}@lid`;

/**
 * Loaded by the real program through WA_SOCKET_MODULE: the crash tests' linked stand-in (bulletin
 * sends appended to STANDIN_SENT_FILE) that, once open, receives "Iscrizione" from each number in
 * STANDIN_INBOUND (comma-separated digits) under a LID with the phone jid as alternate, and logs
 * through the logger Baileys is given what Baileys 7 logs about such people (their jids at the top
 * level of the line, in messages-recv.js and messages-send.js).
 */
export const makeSocket: MakeSocket = (options) => {
  const socket = recordingSocket(options);
  const numbers = (process.env.STANDIN_INBOUND ?? '').split(',').filter(Boolean);
  const baileysLogger = socketConfig(options).logger;
  socket.ev.on('connection.update', (update) => {
    if (!update.receivedPendingNotifications) return;
    numbers.forEach((number, n) => {
      const phone = `${number}@s.whatsapp.net`;
      const lid = standInLid(n);
      baileysLogger.warn(
        { msgId: `3EB0${n}`, from: phone },
        'error 463: account restricted or missing tctoken for contact',
      );
      baileysLogger.warn(
        { error: new Error(`no session for ${lid}`), participant: lid },
        'failed to inject session from retry receipt',
      );
      baileysLogger.error(
        { jid: `${number}:2@s.whatsapp.net`, err: new Error(`bad mac from ${phone}`) },
        'Failed to encrypt for recipient',
      );
      socket.ev.emit('messages.upsert', {
        messages: [
          incomingText({ from: lid, alt: phone, text: 'Iscrizione', pushName: `Persona ${number}` }),
        ],
        type: 'notify',
      });
    });
  });
  return socket;
};

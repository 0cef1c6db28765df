import type { MakeSocket } from '../../src/whatsapp/socket.js';
import { createStandInSocket } from './wa-socket.js';

/**
 * Loaded by the real program through WA_SOCKET_MODULE in child-process tests: a stand-in socket
 * that never leaves the machine and, while unlinked, offers a QR like Baileys does.
 */
export const makeSocket: MakeSocket = (options) => {
  const standIn = createStandInSocket(options);
  setTimeout(() => {
    if (options.auth.creds.me) standIn.open();
    else standIn.update({ connection: 'connecting', qr: '2@banditore-test-qr,abc,def' });
  }, 50);
  return standIn.socket;
};

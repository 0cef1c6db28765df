import { takePairingRequest } from '../core/bridge-state.js';
import { postStaffNotice } from '../core/notices.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { BridgeSocket } from './socket.js';

export type Pairing = {
  /** The socket offered a QR: it is connecting unlinked, so a pairing code can be asked for now. */
  onQr(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Serves "/collega <numero>": the bot writes the request to the database, the bridge takes it and,
 * once its socket is connecting unlinked (a QR was offered), asks WhatsApp for a pairing code and
 * posts it to staff.
 */
export async function startPairing(deps: {
  database: Pick<Database, 'db' | 'listen'>;
  socket(): BridgeSocket | undefined;
  isLinked(): boolean;
  logger: Logger;
}): Promise<Pairing> {
  const { db } = deps.database;
  let wanted: string | undefined;
  // The socket that offered a QR; a newer socket has to offer its own first.
  let offering: BridgeSocket | undefined;
  let busy: Promise<void> = Promise.resolve();

  async function serve(): Promise<void> {
    const taken = await takePairingRequest(db);
    if (taken) wanted = taken;
    if (!wanted) return;
    if (deps.isLinked()) {
      wanted = undefined;
      await postStaffNotice(db, { kind: 'pairing_failed', reason: 'linked' });
      return;
    }
    const socket = deps.socket();
    // Baileys accepts the request only while connecting unlinked; the next QR brings us back here.
    if (!socket?.requestPairingCode || socket !== offering) return;
    const number = wanted;
    wanted = undefined;
    try {
      const code = await socket.requestPairingCode(number);
      await postStaffNotice(db, { kind: 'pairing_code', code });
      deps.logger.info('pairing code requested and posted to staff');
    } catch (err) {
      deps.logger.warn({ err }, 'pairing code request failed');
      await postStaffNotice(db, { kind: 'pairing_failed', reason: 'error' });
    }
  }

  function run() {
    busy = busy.then(serve).catch((err: unknown) => deps.logger.error({ err }, 'pairing request not served'));
    return busy;
  }

  const unlisten = await deps.database.listen('banditore_control', () => void run());
  void run();
  return {
    onQr() {
      offering = deps.socket();
      return run();
    },
    async stop() {
      await unlisten();
      await busy;
    },
  };
}

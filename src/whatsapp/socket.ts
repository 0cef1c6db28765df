import makeWASocket, {
  type AuthenticationState,
  type Contact,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  type proto,
  type WAMessageKey,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { Logger } from '../logger.js';

/** The part of a Baileys socket the bridge uses; small so another transport can replace it. */
export type BridgeSocket = {
  ev: WASocket['ev'];
  user?: Contact | undefined;
  sendMessage: WASocket['sendMessage'];
  /** Sends an already built message (a bulletin's, prepared once) under our own message id. */
  relayMessage: WASocket['relayMessage'];
  waUploadToServer: WASocket['waUploadToServer'];
  onWhatsApp: WASocket['onWhatsApp'];
  rejectCall(callId: string, callFrom: string): Promise<void>;
  requestPairingCode?(phoneNumber: string): Promise<string>;
  signalRepository?: { lidMapping: { getPNForLID(lid: string): Promise<string | null> } };
  end(error: Error | undefined): void;
};

export type SocketOptions = {
  auth: AuthenticationState;
  logger: Logger;
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
};

export type MakeSocket = (options: SocketOptions) => BridgeSocket;

/** Chats the bridge never reads: groups, status, broadcast lists and channels. */
export function isIgnoredJid(jid: string): boolean {
  return Boolean(isJidGroup(jid) || isJidStatusBroadcast(jid) || isJidBroadcast(jid) || isJidNewsletter(jid));
}

/** Baileys' socket with the settings a months-long, send-only process needs. */
export const makeBaileysSocket: MakeSocket = ({ auth, logger, getMessage }) =>
  makeWASocket({
    auth,
    logger: logger.child({ module: 'baileys' }, { level: 'warn' }),
    browser: ['banditore', 'Chrome', '1.0'],
    // rc14 defaults to a full history sync; LID mappings still arrive through the recent sync.
    syncFullHistory: false,
    markOnlineOnConnect: false,
    shouldIgnoreJid: isIgnoredJid,
    getMessage,
  });

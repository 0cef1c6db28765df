import makeWASocket, {
  type AuthenticationState,
  type BinaryNode,
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
  /** Asks for the reach-out time lock; the answer comes as a `connection.update`. */
  fetchAccountReachoutTimelock?(): Promise<unknown>;
  /** WhatsApp Channels (newsletters); absent on stand-ins that do not need them. */
  newsletterCreate?: WASocket['newsletterCreate'];
  newsletterMetadata?(type: 'invite' | 'jid', key: string): Promise<unknown>;
  /** Baileys' websocket: a Channel post's server ack (with its server id) is read from it. */
  ws?: {
    on(event: string, listener: (node: BinaryNode) => void): unknown;
    off(event: string, listener: (node: BinaryNode) => void): unknown;
  };
  signalRepository?: {
    lidMapping: {
      getPNForLID(lid: string): Promise<string | null>;
      getLIDForPN?(pn: string): Promise<string | null>;
    };
  };
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

/** The Baileys settings a months-long, send-only process needs (pure, so a test reads them). */
export function socketConfig({ auth, logger, getMessage }: SocketOptions) {
  return {
    auth,
    // Baileys logs jids and message keys at info and debug: only warnings and errors pass.
    logger: logger.child({ module: 'baileys' }, { level: 'warn' }),
    browser: ['banditore', 'Chrome', '1.0'] as [string, string, string],
    // rc14 defaults to a full history sync; LID mappings still arrive through the recent sync.
    syncFullHistory: false,
    markOnlineOnConnect: false,
    shouldIgnoreJid: isIgnoredJid,
    getMessage,
  } satisfies Parameters<typeof makeWASocket>[0];
}

/** Baileys' socket with those settings. */
export const makeBaileysSocket: MakeSocket = (options) => makeWASocket(socketConfig(options));

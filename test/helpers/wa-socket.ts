import {
  type AnyMessageContent,
  type ConnectionState,
  DisconnectReason,
  jidDecode,
  type MiscMessageGenerationOptions,
  makeEventBuffer,
  type NewChatMessageCapInfo,
  proto,
  type WACallEvent,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import type { BridgeDeps } from '../../src/whatsapp/bridge.js';
import type { BridgeSocket, MakeSocket, SocketOptions } from '../../src/whatsapp/socket.js';

export type SentMessage = {
  jid: string;
  content: AnyMessageContent;
  messageId: string | undefined;
  /** A prepared message sent with relayMessage (bulletins), as given. */
  message?: proto.IMessage;
};

/** What a relayed message reads as, for assertions: its text or caption. */
export function readableText(message: proto.IMessage): string {
  return (
    message.conversation ??
    message.extendedTextMessage?.text ??
    message.imageMessage?.caption ??
    message.videoMessage?.caption ??
    message.documentMessage?.caption ??
    ''
  );
}

/**
 * A stand-in for Baileys' socket: its `ev` is Baileys' own event buffer, and it records what the
 * bridge sends, rejects and ends.
 */
export function createStandInSocket(options: SocketOptions) {
  const ev = makeEventBuffer(pino({ level: 'silent' }));
  const sent: SentMessage[] = [];
  const rejectedCalls: string[] = [];
  const lidToPn = new Map<string, string>();
  /** Phone jids `onWhatsApp` says are not on WhatsApp. */
  const notOnWhatsApp = new Set<string>();
  const onWhatsAppChecks: string[] = [];
  const uploads: { mediaType: string }[] = [];
  /** Numbers a pairing code was asked for, and how often the time lock was fetched. */
  const pairingRequests: string[] = [];
  let timeLockFetches = 0;
  let failNextSends = 0;
  let ended = false;
  let writesKeys = false;
  let keyWrites = 0;

  /**
   * What Baileys writes to the key store around a 1:1 send: the session it encrypted with, and,
   * after the send, the privacy token it issued (under the LID when known) and the token index.
   */
  async function writeKeysLikeBaileys(jid: string) {
    const { user, server } = jidDecode(jid)!;
    const lidJid = server === 'lid' ? jid : [...lidToPn].find(([, pn]) => pn === jid)?.[0];
    const session = `${user}${server === 'lid' ? '_1' : ''}.0`;
    await options.auth.keys.set({ session: { [session]: Buffer.from('ratchet') } });
    const tokenJid = lidJid ?? jid;
    const { __index: index } = await options.auth.keys.get('tctoken', ['__index']);
    const listed: string[] = index?.token.length ? JSON.parse(Buffer.from(index.token).toString()) : [];
    await options.auth.keys.set({
      tctoken: {
        [tokenJid]: { token: Buffer.alloc(0), senderTimestamp: Math.floor(Date.now() / 1000) },
        __index: { token: Buffer.from(JSON.stringify([...new Set([...listed, tokenJid])])) },
      },
    });
    keyWrites += 1;
  }
  const socket: BridgeSocket = {
    ev,
    user: undefined,
    async sendMessage(jid: string, content: AnyMessageContent, opts?: MiscMessageGenerationOptions) {
      if (ended) throw new Error('Connection Closed');
      if (failNextSends > 0) {
        failNextSends -= 1;
        throw new Error('stand-in send failure');
      }
      sent.push({ jid, content, messageId: opts?.messageId });
      if (writesKeys) await writeKeysLikeBaileys(jid);
      return proto.WebMessageInfo.fromObject({
        key: { remoteJid: jid, fromMe: true, id: opts?.messageId ?? 'X' },
      }) as WAMessage;
    },
    async relayMessage(jid, message, opts) {
      if (ended) throw new Error('Connection Closed');
      if (failNextSends > 0) {
        failNextSends -= 1;
        throw new Error('stand-in send failure');
      }
      sent.push({ jid, content: { text: readableText(message) }, messageId: opts.messageId, message });
      return opts.messageId ?? 'X';
    },
    async waUploadToServer(_path, opts) {
      uploads.push({ mediaType: opts.mediaType });
      return {
        mediaUrl: `https://mmg.whatsapp.net/stand-in/${uploads.length}`,
        directPath: `/stand-in/${uploads.length}`,
      };
    },
    async onWhatsApp(...jids: string[]) {
      onWhatsAppChecks.push(...jids);
      return jids.filter((jid) => !notOnWhatsApp.has(jid)).map((jid) => ({ jid, exists: true }));
    },
    async requestPairingCode(phoneNumber: string) {
      pairingRequests.push(phoneNumber);
      // As Baileys does: creds.me is written before the phone accepts.
      options.auth.creds.me = { id: `${phoneNumber}@s.whatsapp.net`, name: '~' };
      ev.emit('creds.update', { me: options.auth.creds.me });
      return 'ABCD1234';
    },
    async fetchAccountReachoutTimelock() {
      timeLockFetches += 1;
      return {};
    },
    async rejectCall(callId: string) {
      rejectedCalls.push(callId);
    },
    signalRepository: {
      lidMapping: {
        getPNForLID: async (lid: string) => lidToPn.get(lid) ?? null,
        getLIDForPN: async (pn: string) => [...lidToPn].find(([, p]) => p === pn)?.[0] ?? null,
      },
    },
    end(error) {
      if (ended) return;
      ended = true;
      ev.emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error: error ?? closeError(DisconnectReason.connectionClosed), date: new Date() },
      });
    },
  };
  return {
    socket,
    options,
    sent,
    rejectedCalls,
    lidToPn,
    notOnWhatsApp,
    onWhatsAppChecks,
    uploads,
    pairingRequests,
    timeLockFetches: () => timeLockFetches,
    /** From now on each sendMessage writes to the key store as Baileys does (see writeKeysLikeBaileys). */
    writeKeysOnSend() {
      writesKeys = true;
    },
    /** How many sends have finished writing their keys. */
    keyWrites: () => keyWrites,
    /** The bridge ended this socket, or it was closed. */
    isEnded: () => ended,
    /** Baileys' `messages.update` for an error ack of a message we sent (status ERROR, stub params). */
    errorAck(id: string, jid: string, code: string) {
      ev.emit('messages.update', [
        {
          key: { remoteJid: jid, fromMe: true, id },
          update: {
            status: proto.WebMessageInfo.Status.ERROR,
            messageStubParameters: code === '463' ? [code, 'Your account has been restricted'] : [code],
          },
        },
      ]);
    },
    lidMapping(pn: string, lid: string) {
      ev.emit('lid-mapping.update', { pn, lid });
    },
    capping(info: NewChatMessageCapInfo) {
      ev.emit('message-capping.update', info);
    },
    failSends(count: number) {
      failNextSends = count;
    },
    update(update: Partial<ConnectionState>) {
      ev.emit('connection.update', update);
    },
    /** The server accepted the login (of `userId`, the Comune's number by default) and replayed what arrived while offline. */
    open(userId = '390550000000:1@s.whatsapp.net') {
      socket.user = { id: userId };
      options.auth.creds.me = { id: userId };
      // What a finished pairing leaves (configureSuccessfulPairing): the signed device identity.
      options.auth.creds.account ??= proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from([1]) });
      ev.emit('creds.update', { me: options.auth.creds.me });
      ev.emit('connection.update', { connection: 'open' });
      ev.emit('connection.update', { receivedPendingNotifications: true });
    },
    close(code: number) {
      ended = true;
      ev.emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error: closeError(code), date: new Date() },
      });
    },
    receive(messages: WAMessage[], type: 'notify' | 'append' = 'notify') {
      ev.emit('messages.upsert', { messages, type });
    },
    /** Receipts for messages we sent: status 2 server ack, 3 delivered, 4 read, 0 error. */
    statuses(updates: { id: string; jid: string; status: number }[]) {
      ev.emit(
        'messages.update',
        updates.map((u) => ({
          key: { remoteJid: u.jid, fromMe: true, id: u.id },
          update: { status: u.status },
        })),
      );
    },
    call(calls: WACallEvent[]) {
      ev.emit('call', calls);
    },
  };
}

export type StandInSocket = ReturnType<typeof createStandInSocket>;

/** A Boom-shaped error as Baileys closes with. */
export function closeError(statusCode: number): Error {
  return Object.assign(new Error(`closed ${statusCode}`), { output: { statusCode } });
}

/** A MakeSocket that hands out stand-ins and keeps every one made, newest last. */
export function standInFactory() {
  const made: StandInSocket[] = [];
  const makeSocket: MakeSocket = (options) => {
    const standIn = createStandInSocket(options);
    made.push(standIn);
    return standIn.socket;
  };
  return {
    makeSocket,
    made,
    latest(): StandInSocket {
      const last = made.at(-1);
      if (!last) throw new Error('no socket made yet');
      return last;
    },
  };
}

/** The bridge's configuration in tests: the defaults, pacing off unless a test sets it. */
export function bridgeConfig(overrides: Partial<BridgeDeps['config']> = {}): BridgeDeps['config'] {
  return {
    comune: {
      name: 'Comune di Prova',
      phone: '055 1234567',
      email: 'urp@comune.prova.it',
      privacyUrl: 'https://comune.prova.it/privacy',
    },
    sendRatePerMinute: 2,
    sendLimits: { maxPerHour: 80, maxPerDay: 1000, warmupDays: 7, maxAttempts: 5 },
    sendPacing: 'off',
    receiptRetentionHours: 72,
    privacyVersion: '1',
    autoReplyCooldownHours: 24,
    // Tests of keywords write many times from one number; the reply budget's own tests set 3.
    replyMaxPerSenderHour: 20,
    replyMaxDelayMinutes: 60,
    waDownAlertMinutes: 10,
    ...overrides,
  };
}

let counter = 0;

/** A 1:1 text message as Baileys delivers it: primary jid, optional alternate, push name. */
export function incomingText(input: {
  from: string;
  alt?: string;
  text: string;
  id?: string;
  pushName?: string;
  message?: proto.IMessage;
}): WAMessage {
  counter += 1;
  const message = proto.WebMessageInfo.fromObject({
    key: { remoteJid: input.from, fromMe: false, id: input.id ?? `3A${String(counter).padStart(18, '0')}` },
    message: input.message ?? { conversation: input.text },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: input.pushName ?? 'Cittadino',
  }) as WAMessage;
  // remoteJidAlt is Baileys' own addition to the key (decode-wa-message), not a protobuf field.
  if (input.alt) message.key.remoteJidAlt = input.alt;
  return message;
}

import { EventEmitter } from 'node:events';
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
  /** The stanza's extra attributes given to relayMessage (edit="8" for a Channel delete). */
  attributes?: Record<string, string>;
};

/** A WhatsApp Channel the stand-in knows, and the linked number's role in it. */
export type StandInNewsletter = {
  jid: string;
  name: string;
  description: string;
  invite: string;
  subscribers: number;
  role: 'OWNER' | 'ADMIN' | 'SUBSCRIBER' | 'GUEST';
};

/** How WhatsApp answers a Channel post: its ack with a server id, an error ack, or nothing. */
export type NewsletterAck = 'ack' | 'silent' | { error: string };

/** rc14's raw `newsletterMetadata` answer (WhatsApp's own shape, not the parsed one its types promise). */
function rawNewsletterMetadata(n: StandInNewsletter) {
  const now = String(Math.floor(Date.now() / 1000));
  return {
    id: n.jid,
    state: { type: 'ACTIVE' },
    thread_metadata: {
      creation_time: now,
      description: { id: '1', text: n.description, update_time: now },
      handle: null,
      invite: n.invite,
      name: { id: '1', text: n.name, update_time: now },
      picture: { direct_path: '', id: '', type: 'IMAGE' },
      preview: { direct_path: '', id: '', type: 'PREVIEW' },
      subscribers_count: String(n.subscribers),
      verification: 'UNVERIFIED',
    },
    viewer_metadata: { mute: 'OFF', role: n.role },
  };
}

/** A Boom-shaped error as Baileys' mex queries throw (GraphQL error or unexpected answer). */
function mexError(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode } });
}

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
  /** WhatsApp Channels by jid; every newsletter call; how posts are acknowledged. */
  const newsletters = new Map<string, StandInNewsletter>();
  const newsletterCalls: { method: string; args: unknown[] }[] = [];
  let newsletterAck: NewsletterAck = 'ack';
  const nextNewsletterAcks: NewsletterAck[] = [];
  let newsletterMediaFailure: string | undefined;
  let nextServerId = 100;
  const ws = new EventEmitter();
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
  /** What the server answers a Channel stanza with, a moment after it was written. */
  function ackNewsletter(jid: string, id: string) {
    if (!jid.endsWith('@newsletter')) return;
    const ack = nextNewsletterAcks.shift() ?? newsletterAck;
    if (ack === 'silent') return;
    const attrs: Record<string, string> =
      ack === 'ack'
        ? { id, class: 'message', from: jid, server_id: String(nextServerId++) }
        : { id, class: 'message', from: jid, error: ack.error };
    setImmediate(() => ws.emit('CB:ack,class:message', { tag: 'ack', attrs }));
  }
  const isMedia = (content: AnyMessageContent) =>
    'image' in content || 'video' in content || 'document' in content;

  const socket: BridgeSocket = {
    ev,
    ws,
    user: undefined,
    async newsletterCreate(name: string, description?: string) {
      newsletterCalls.push({ method: 'newsletterCreate', args: [name, description] });
      if (ended) throw new Error('Connection Closed');
      const n: StandInNewsletter = {
        jid: `120363${String(400000000000 + newsletters.size)}@newsletter`,
        name,
        description: description ?? '',
        invite: `0029VaStandIn${String(newsletters.size).padStart(6, '0')}`,
        subscribers: 0,
        role: 'OWNER',
      };
      newsletters.set(n.jid, n);
      // parseNewsletterCreateResponse's shape: parsed, with no viewer role.
      return {
        id: n.jid,
        owner: undefined,
        name: n.name,
        creation_time: Math.floor(Date.now() / 1000),
        description: n.description,
        invite: n.invite,
        subscribers: n.subscribers,
        verification: 'UNVERIFIED' as const,
        picture: { id: undefined, directPath: undefined },
        mute_state: 'OFF' as const,
      };
    },
    async newsletterMetadata(type: 'invite' | 'jid', key: string) {
      newsletterCalls.push({ method: 'newsletterMetadata', args: [type, key] });
      if (ended) throw new Error('Connection Closed');
      const n = [...newsletters.values()].find((c) => (type === 'jid' ? c.jid : c.invite) === key);
      if (!n) throw mexError('GraphQL server error: Not found', 404);
      return rawNewsletterMetadata(n);
    },
    async sendMessage(jid: string, content: AnyMessageContent, opts?: MiscMessageGenerationOptions) {
      if (ended) throw new Error('Connection Closed');
      if (failNextSends > 0) {
        failNextSends -= 1;
        throw new Error('stand-in send failure');
      }
      if (jid.endsWith('@newsletter') && isMedia(content)) {
        // rc14's newsletter media path: a raw (unencrypted) upload to the ordinary media path.
        const mediaType = 'image' in content ? 'image' : 'video' in content ? 'video' : 'document';
        uploads.push({ mediaType });
        if (newsletterMediaFailure) throw mexError(newsletterMediaFailure, 500);
      }
      sent.push({ jid, content, messageId: opts?.messageId });
      ackNewsletter(jid, opts?.messageId ?? 'X');
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
      sent.push({
        jid,
        content: { text: readableText(message) },
        messageId: opts.messageId,
        message,
        ...(opts.additionalAttributes ? { attributes: opts.additionalAttributes } : {}),
      });
      ackNewsletter(jid, opts.messageId ?? 'X');
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
    newsletters,
    newsletterCalls,
    /** A Channel the linked number already has a role in (to adopt with its invite code). */
    addNewsletter(n: Partial<StandInNewsletter> & { name: string; role: StandInNewsletter['role'] }) {
      const full: StandInNewsletter = {
        jid: `120363${String(500000000000 + newsletters.size)}@newsletter`,
        description: '',
        invite: `0029VaOther${String(newsletters.size).padStart(8, '0')}`,
        subscribers: 0,
        ...n,
      };
      newsletters.set(full.jid, full);
      return full;
    },
    /** How WhatsApp acknowledges Channel posts from now on. */
    newsletterAcks(ack: NewsletterAck) {
      newsletterAck = ack;
    },
    /** How WhatsApp acknowledges the next Channel posts, one each, before the usual answer. */
    ackNextNewsletterPosts(...acks: NewsletterAck[]) {
      nextNewsletterAcks.push(...acks);
    },
    /** Channel media fails from now on as rc14's upload does ('Media upload failed on all hosts'). */
    failNewsletterMedia(message: string | undefined = 'Media upload failed on all hosts') {
      newsletterMediaFailure = message;
    },
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

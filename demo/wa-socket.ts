import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type AnyMessageContent,
  DisconnectReason,
  getMediaKeys,
  type MiscMessageGenerationOptions,
  makeEventBuffer,
  proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import type { BridgeSocket, MakeSocket } from '../src/whatsapp/socket.js';
import type { FromProgram, PhoneMessage, Tick, ToProgram } from './wa-protocol.js';

/**
 * Loaded by the real program through WA_SOCKET_MODULE when `npm run demo` starts it: a WhatsApp
 * socket that never leaves the machine. It is linked at once to a demo number, hands what the
 * program sends to the demo (its parent process, over IPC), answers with receipts (delivered,
 * then read) and passes on what the citizens type on the page as Baileys' own `messages.upsert`.
 */

const DEMO_NUMBER = '390550000000:1@s.whatsapp.net';
const DELIVERED_AFTER_MS = 600;
const READ_AFTER_MS = 2_000;

function tell(message: FromProgram): void {
  process.send?.(message);
}

/** The bytes of an uploaded (encrypted) media file, decrypted as a phone would. */
async function decrypt(encrypted: Buffer, mediaKey: Uint8Array, type: 'image' | 'document' | 'video') {
  const { iv, cipherKey } = await getMediaKeys(mediaKey, type);
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  // The last ten bytes are the MAC.
  return Buffer.concat([decipher.update(encrypted.subarray(0, -10)), decipher.final()]);
}

/** What a phone shows of a message the program sent. */
async function phoneMessage(
  id: string,
  jid: string,
  message: proto.IMessage,
  uploads: Map<string, Buffer>,
): Promise<PhoneMessage> {
  const image = message.imageMessage;
  const document = message.documentMessage;
  const video = message.videoMessage;
  const text =
    message.conversation ??
    message.extendedTextMessage?.text ??
    image?.caption ??
    video?.caption ??
    document?.caption ??
    '';
  const shown: PhoneMessage = { id, jid, text };
  const encrypted = image?.directPath ? uploads.get(image.directPath) : undefined;
  if (image?.mediaKey && encrypted) {
    const data = await decrypt(encrypted, image.mediaKey, 'image');
    shown.image = { mimeType: image.mimetype ?? 'image/jpeg', base64: data.toString('base64') };
  }
  if (document) shown.document = { fileName: document.fileName ?? 'documento' };
  if (video) shown.document = { fileName: 'video' };
  return shown;
}

let current: { socket: BridgeSocket; receive(input: ToProgram): void } | undefined;

process.on('message', (input: ToProgram) => {
  if (input.type === 'incoming') current?.receive(input);
});

export const makeSocket: MakeSocket = (options) => {
  const ev = makeEventBuffer(pino({ level: 'silent' }));
  const uploads = new Map<string, Buffer>();
  let ended = false;
  let nextId = 1;

  function receipts(id: string, jid: string) {
    const emit = (status: Tick) => {
      if (ended) return;
      ev.emit('messages.update', [{ key: { remoteJid: jid, fromMe: true, id }, update: { status } }]);
      tell({ type: 'status', id, jid, status });
    };
    setTimeout(() => emit(3), DELIVERED_AFTER_MS);
    setTimeout(() => emit(4), READ_AFTER_MS);
  }

  async function sent(id: string, jid: string, message: proto.IMessage) {
    tell({ type: 'sent', message: await phoneMessage(id, jid, message, uploads) });
    tell({ type: 'status', id, jid, status: 2 });
    receipts(id, jid);
  }

  const socket: BridgeSocket = {
    ev,
    user: undefined,
    async sendMessage(jid: string, content: AnyMessageContent, opts?: MiscMessageGenerationOptions) {
      if (ended) throw new Error('Connection Closed');
      const id = opts?.messageId ?? `DEMO${nextId++}`;
      const text = 'text' in content && typeof content.text === 'string' ? content.text : '';
      await sent(id, jid, { conversation: text });
      return proto.WebMessageInfo.fromObject({ key: { remoteJid: jid, fromMe: true, id } }) as WAMessage;
    },
    async relayMessage(jid, message, opts) {
      if (ended) throw new Error('Connection Closed');
      const id = opts.messageId ?? `DEMO${nextId++}`;
      await sent(id, jid, message);
      return id;
    },
    async waUploadToServer(path, opts) {
      const directPath = `/demo/${opts.mediaType}/${uploads.size + 1}`;
      uploads.set(directPath, readFileSync(path));
      return { mediaUrl: `https://mmg.whatsapp.net${directPath}`, directPath };
    },
    async onWhatsApp(...jids: string[]) {
      return jids.map((jid) => ({ jid, exists: true }));
    },
    async fetchAccountReachoutTimelock() {
      return {};
    },
    async rejectCall() {},
    end() {
      if (ended) return;
      ended = true;
      const error = Object.assign(new Error('closed'), {
        output: { statusCode: DisconnectReason.connectionClosed },
      });
      ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    },
  };

  function receive(input: ToProgram) {
    if (ended) return;
    const message = proto.WebMessageInfo.fromObject({
      key: { remoteJid: input.jid, fromMe: false, id: input.id },
      message: { conversation: input.text },
      messageTimestamp: Math.floor(Date.now() / 1000),
      pushName: input.pushName,
    }) as WAMessage;
    ev.emit('messages.upsert', { messages: [message], type: 'notify' });
  }

  current = { socket, receive };
  // Linked at once, as a number paired earlier would be: the demo skips the QR.
  setTimeout(() => {
    socket.user = { id: DEMO_NUMBER };
    options.auth.creds.me = { id: DEMO_NUMBER };
    options.auth.creds.account ??= proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from([1]) });
    ev.emit('creds.update', { me: options.auth.creds.me });
    ev.emit('connection.update', { connection: 'open' });
    ev.emit('connection.update', { receivedPendingNotifications: true });
    tell({ type: 'open' });
  }, 50);
  return socket;
};

// The demo went away without stopping us (killed): stop as on Ctrl-C, so no program is left behind.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

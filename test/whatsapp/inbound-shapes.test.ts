import { proto, WAMessageStubType } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { parseIncoming } from '../../src/whatsapp/incoming.js';
import { incomingText } from '../helpers/wa-socket.js';

const PN = '393331234567@s.whatsapp.net';
const LID = '140000000000001@lid';

const text = (message: proto.IMessage, from = PN, alt?: string) =>
  parseIncoming(incomingText({ from, ...(alt ? { alt } : {}), text: '', message }))?.text;

describe('parseIncoming', () => {
  it('reads the phone jid and the LID whichever leads, and the one alone when the alternate is missing', () => {
    const phoneFirst = parseIncoming(incomingText({ from: PN, alt: LID, text: 'ciao' }));
    const lidFirst = parseIncoming(incomingText({ from: LID, alt: PN, text: 'ciao' }));
    expect(phoneFirst).toMatchObject({ phoneJid: PN, lid: LID, replyJid: PN, text: 'ciao' });
    expect(lidFirst).toMatchObject({ phoneJid: PN, lid: LID, replyJid: LID });
    expect(parseIncoming(incomingText({ from: LID, text: 'x' }))).toMatchObject({
      phoneJid: undefined,
      lid: LID,
    });
    expect(parseIncoming(incomingText({ from: PN, text: 'x' }))).toMatchObject({
      phoneJid: PN,
      lid: undefined,
    });
  });

  it('normalises a device-qualified jid', () => {
    const parsed = parseIncoming(incomingText({ from: '393331234567:12@s.whatsapp.net', text: 'x' }));
    expect(parsed?.phoneJid).toBe(PN);
  });

  it.each<[string, proto.IMessage]>([
    ['plain text', { conversation: 'Iscrizione' }],
    ['extended text', { extendedTextMessage: { text: 'Iscrizione' } }],
    ['ephemeral', { ephemeralMessage: { message: { extendedTextMessage: { text: 'Iscrizione' } } } }],
    ['view once', { viewOnceMessage: { message: { imageMessage: { caption: 'Iscrizione' } } } }],
    ['view once v2', { viewOnceMessageV2: { message: { videoMessage: { caption: 'Iscrizione' } } } }],
    ['image caption', { imageMessage: { caption: 'Iscrizione', mimetype: 'image/jpeg' } }],
    ['video caption', { videoMessage: { caption: 'Iscrizione' } }],
    [
      'document caption',
      { documentWithCaptionMessage: { message: { documentMessage: { caption: 'Iscrizione' } } } },
    ],
    [
      'an edit',
      {
        editedMessage: {
          message: {
            protocolMessage: {
              type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
              key: { remoteJid: PN, id: 'ORIGINAL' },
              editedMessage: { conversation: 'Iscrizione' },
            },
          },
        },
      },
    ],
    [
      'an ephemeral edit',
      {
        ephemeralMessage: {
          message: {
            protocolMessage: {
              type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
              key: { remoteJid: PN, id: 'ORIGINAL' },
              editedMessage: { extendedTextMessage: { text: 'Iscrizione' } },
            },
          },
        },
      },
    ],
  ])('finds the text of %s', (_name, message) => {
    expect(text(message)).toBe('Iscrizione');
  });

  it('reads a sticker or a voice note as an empty message, to be answered politely', () => {
    expect(text({ stickerMessage: { mimetype: 'image/webp' } })).toBe('');
    expect(text({ audioMessage: { ptt: true } })).toBe('');
  });

  it.each<[string, proto.IMessage]>([
    ['a delete', { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'X' } } }],
    [
      'an ephemeral setting',
      {
        protocolMessage: {
          type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING,
          ephemeralExpiration: 86400,
        },
      },
    ],
    ['a reaction', { reactionMessage: { key: { id: 'X' }, text: '👍' } }],
    ['a poll vote', { pollUpdateMessage: { pollCreationMessageKey: { id: 'X' } } }],
    [
      'an ephemeral reaction',
      { ephemeralMessage: { message: { reactionMessage: { key: { id: 'X' }, text: '👍' } } } },
    ],
  ])('skips %s', (_name, message) => {
    expect(parseIncoming(incomingText({ from: PN, text: '', message }))).toBeNull();
  });

  it.each([
    ['a group', '120363000000000001@g.us'],
    ['status', 'status@broadcast'],
    ['a broadcast list', '1234567890@broadcast'],
    ['a channel', '120363000000000002@newsletter'],
  ])('skips messages in %s', (_name, jid) => {
    expect(parseIncoming(incomingText({ from: jid, text: 'Iscrizione' }))).toBeNull();
  });

  it('skips own messages and stubs (a failed decryption comes back later under the same id)', () => {
    const own = incomingText({ from: PN, text: 'Iscrizione' });
    own.key.fromMe = true;
    expect(parseIncoming(own)).toBeNull();
    const stub = incomingText({ from: PN, text: 'Iscrizione' });
    stub.messageStubType = WAMessageStubType.CIPHERTEXT;
    stub.message = null;
    expect(parseIncoming(stub)).toBeNull();
  });
});

describe('parseIncoming on what a modified client may send', () => {
  it('keeps a push name without control characters (Postgres keeps no U+0000)', () => {
    const read = parseIncoming(
      incomingText({ from: PN, text: 'Iscrizione', pushName: ' Ma\u0000rio\u0007 ' }),
    );
    expect(read?.pushName).toBe('Mario');
    expect(
      parseIncoming(incomingText({ from: PN, text: 'ciao', pushName: '\u0000' }))?.pushName,
    ).toBeUndefined();
  });

  it('skips a message whose id holds U+0000', () => {
    expect(parseIncoming(incomingText({ from: PN, text: 'Iscrizione', id: '3A\u0000B' }))).toBeNull();
  });
});

import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { draftContent, mediaOf } from '../../src/telegram/draft-input.js';
import { fileMessage, person, textMessage } from '../helpers/bot-api.js';

const chatId = -100;
const from = person(1, 'Anna');
const pdf = (caption?: string): Message =>
  fileMessage({
    chatId,
    from,
    file: { kind: 'document', fileId: 'D', mimeType: 'application/pdf', fileName: 'avviso.pdf', size: 10 },
    ...(caption ? { caption } : {}),
  });

describe('draftContent', () => {
  it('takes the text after /bozza', () => {
    expect(draftContent(textMessage({ chatId, from, text: '/bozza  Avviso' }))).toEqual({
      body: { text: 'Avviso', entities: [] },
      media: undefined,
    });
  });

  it('takes the file and caption of the message /bozza replies to', () => {
    const content = draftContent(textMessage({ chatId, from, text: '/bozza', replyTo: pdf('Bando') }));
    expect(content).toEqual({
      body: { text: 'Bando', entities: [] },
      media: {
        kind: 'document',
        fileId: 'D',
        fileSize: 10,
        mimeType: 'application/pdf',
        fileName: 'avviso.pdf',
      },
    });
  });

  it('takes the text of /bozza and the file of the message it replies to', () => {
    const content = draftContent(
      textMessage({ chatId, from, text: '/bozza Nuovo testo', replyTo: pdf('Vecchio') }),
    );
    expect(content).toMatchObject({ body: { text: 'Nuovo testo' }, media: { fileId: 'D' } });
  });

  it('takes the largest size of a photo', () => {
    const photo = fileMessage({
      chatId,
      from,
      file: { kind: 'photo', fileId: 'BIG', size: 5000 },
      caption: '/bozza Foto',
    });
    expect(draftContent(photo)).toEqual({
      body: { text: 'Foto', entities: [] },
      media: { kind: 'image', fileId: 'BIG', fileSize: 5000, mimeType: 'image/jpeg', fileName: null },
    });
  });

  it('refuses a document that is not a PDF, also in the message replied to', () => {
    const sheet = fileMessage({
      chatId,
      from,
      file: { kind: 'document', fileId: 'X', mimeType: 'application/zip', fileName: 'a.zip' },
    });
    expect(mediaOf(sheet)).toBe('not_pdf');
    expect(draftContent(textMessage({ chatId, from, text: '/bozza', replyTo: sheet }))).toBe('not_pdf');
  });
});

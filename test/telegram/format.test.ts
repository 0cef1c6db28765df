import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import {
  afterCommand,
  bodyFromTelegram,
  telegramEntities,
  withCategoryHeader,
} from '../../src/telegram/format.js';

const e = (type: string, offset: number, length: number, extra: object = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity;

describe('bodyFromTelegram', () => {
  it('keeps formatting and links, drops what only means something in Telegram', () => {
    const text = ' Avviso @comune #neve https://c.example ';
    const body = bodyFromTelegram(text, [
      e('bold', 1, 6),
      e('mention', 8, 7),
      e('hashtag', 16, 5),
      e('url', 22, 17),
      e('expandable_blockquote', 1, 6),
      e('text_link', 8, 7, { url: 'https://c.example/u' }),
      e('pre', 22, 17, { language: 'txt' }),
    ]);
    expect(body).toEqual({
      text: 'Avviso @comune #neve https://c.example',
      entities: [
        e('blockquote', 0, 6),
        e('bold', 0, 6),
        e('text_link', 7, 7, { url: 'https://c.example/u' }),
        e('pre', 21, 17, { language: 'txt' }),
        e('url', 21, 17),
      ],
    });
  });
});

describe('telegramEntities', () => {
  it('gives the Bot API the body entities after a header', () => {
    const body = {
      text: 'Leggi qui',
      entities: [e('text_link', 6, 3, { url: 'https://x' }), e('underline', 0, 5)],
    };
    expect(telegramEntities(body as never, 10)).toEqual([
      e('text_link', 16, 3, { url: 'https://x' }),
      e('underline', 10, 5),
    ]);
  });

  it('puts the category header in bold above the body', () => {
    const shown = withCategoryHeader(
      { text: 'Strada chiusa', entities: [e('italic', 0, 6)] as never },
      'viabilita',
    );
    expect(shown).toEqual({
      text: 'VIABILITÀ\n\nStrada chiusa',
      entities: [e('bold', 0, 9), e('italic', 11, 6)],
    });
  });
});

describe('afterCommand', () => {
  it('drops the command and moves the entities after it', () => {
    const text = '/bozza 📢 *Avviso*';
    const body = afterCommand(text, [e('bot_command', 0, 6), e('bold', 10, 6)]);
    expect(body).toEqual({ text: '📢 *Avviso*', entities: [e('bold', 3, 6)] });
  });

  it('leaves a message without a command as it is', () => {
    expect(afterCommand('Avviso', [e('bold', 0, 6)])).toEqual({
      text: 'Avviso',
      entities: [e('bold', 0, 6)],
    });
  });
});

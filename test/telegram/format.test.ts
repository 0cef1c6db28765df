import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { afterCommand, toWhatsappMarkup } from '../../src/telegram/format.js';

const e = (type: string, offset: number, length: number, extra: object = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity;

describe('toWhatsappMarkup', () => {
  const cases: { name: string; text: string; entities: MessageEntity[]; expected: string }[] = [
    { name: 'plain text', text: 'Mercato domani', entities: [], expected: 'Mercato domani' },
    { name: 'bold', text: 'Mercato domani', entities: [e('bold', 0, 7)], expected: '*Mercato* domani' },
    { name: 'italic', text: 'Mercato domani', entities: [e('italic', 8, 6)], expected: 'Mercato _domani_' },
    { name: 'underline as italic', text: 'Avviso', entities: [e('underline', 0, 6)], expected: '_Avviso_' },
    {
      name: 'strikethrough',
      text: 'ore 9 ore 10',
      entities: [e('strikethrough', 0, 5)],
      expected: '~ore 9~ ore 10',
    },
    { name: 'code', text: 'codice AB12', entities: [e('code', 7, 4)], expected: 'codice `AB12`' },
    {
      name: 'pre',
      text: 'a\nriga 1\nriga 2',
      entities: [e('pre', 2, 13)],
      expected: 'a\n```riga 1\nriga 2```',
    },
    {
      name: 'text link',
      text: 'Leggi il bando qui',
      entities: [e('text_link', 15, 3, { url: 'https://comune.example/bando' })],
      expected: 'Leggi il bando qui (https://comune.example/bando)',
    },
    {
      name: 'url stays as written',
      text: 'Vedi https://comune.example',
      entities: [e('url', 5, 22)],
      expected: 'Vedi https://comune.example',
    },
    {
      name: 'emoji before an entity (offsets in UTF-16)',
      text: '📢 Allerta meteo',
      entities: [e('bold', 3, 7)],
      expected: '📢 *Allerta* meteo',
    },
    {
      name: 'nested entities',
      text: 'Scuole chiuse domani',
      entities: [e('bold', 0, 20), e('italic', 7, 6)],
      expected: '*Scuole _chiuse_ domani*',
    },
    {
      name: 'two entities on the same span',
      text: 'Urgente',
      entities: [e('bold', 0, 7), e('italic', 0, 7)],
      expected: '*_Urgente_*',
    },
    {
      name: 'spaces moved outside the marks',
      text: 'Domani  mercato',
      entities: [e('bold', 0, 8)],
      expected: '*Domani*  mercato',
    },
    {
      name: 'markup inside code is left as written',
      text: 'x = a*b',
      entities: [e('code', 0, 7), e('bold', 4, 1)],
      expected: '`x = a*b`',
    },
    {
      name: 'overlapping entities are cut, not crossed',
      text: 'uno due tre',
      entities: [e('bold', 0, 7), e('italic', 4, 7)],
      expected: '*uno _due_* tre',
    },
    { name: 'spoiler stays plain', text: 'segreto', entities: [e('spoiler', 0, 7)], expected: 'segreto' },
  ];

  it.each(cases)('$name', ({ text, entities, expected }) => {
    expect(toWhatsappMarkup(text, entities)).toBe(expected);
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

import { describe, expect, it } from 'vitest';
import type { BodyEntity } from '../../src/core/outlets.js';
import { toWhatsappMarkup, whatsappMessageText } from '../../src/whatsapp/markup.js';

const e = (type: BodyEntity['type'], offset: number, length: number, extra: object = {}): BodyEntity => ({
  type,
  offset,
  length,
  ...extra,
});

describe('toWhatsappMarkup', () => {
  const cases: { name: string; text: string; entities: BodyEntity[]; expected: string }[] = [
    { name: 'plain text', text: 'Mercato domani', entities: [], expected: 'Mercato domani' },
    { name: 'bold', text: 'Mercato domani', entities: [e('bold', 0, 7)], expected: '*Mercato* domani' },
    { name: 'italic', text: 'Mercato domani', entities: [e('italic', 8, 6)], expected: 'Mercato _domani_' },
    { name: 'underline as italic', text: 'Avviso', entities: [e('underline', 0, 6)], expected: '_Avviso_' },
    {
      name: 'underline and italic on one span mark it once',
      text: 'Avviso',
      entities: [e('italic', 0, 6), e('underline', 0, 6)],
      expected: '_Avviso_',
    },
    {
      name: 'strikethrough',
      text: 'ore 9 ore 10',
      entities: [e('strikethrough', 0, 5)],
      expected: '~ore 9~ ore 10',
    },
    { name: 'code', text: 'codice AB12', entities: [e('code', 7, 4)], expected: 'codice ```AB12```' },
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
      name: 'a link whose text is its address is shown once',
      text: 'Vedi comune.example',
      entities: [e('text_link', 5, 14, { url: 'https://comune.example/' })],
      expected: 'Vedi comune.example',
    },
    {
      name: 'bold link',
      text: 'Leggi il bando',
      entities: [e('bold', 9, 5), e('text_link', 9, 5, { url: 'https://c.example/b' })],
      expected: 'Leggi il *bando* (https://c.example/b)',
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
      name: 'an entity ending inside an emoji takes the whole emoji',
      text: 'Allerta 📢',
      entities: [e('bold', 0, 9)],
      expected: '*Allerta 📢*',
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
      expected: '```x = a*b```',
    },
    {
      name: 'crossing entities are split, not crossed',
      text: 'uno due tre',
      entities: [e('bold', 0, 7), e('italic', 4, 7)],
      expected: '*uno _due_* _tre_',
    },
    {
      name: 'no marks inside a word, where WhatsApp would show them',
      text: 'Comunicato',
      entities: [e('bold', 0, 6)],
      expected: 'Comunicato',
    },
    {
      name: 'no marks around text that holds the same mark',
      text: 'prezzo 5*3 euro',
      entities: [e('bold', 7, 3)],
      expected: 'prezzo 5*3 euro',
    },
    {
      name: 'marks next to punctuation',
      text: 'l’avviso: oggi!',
      entities: [e('bold', 2, 6)],
      expected: 'l’*avviso*: oggi!',
    },
    { name: 'spoiler stays plain', text: 'segreto', entities: [e('spoiler', 0, 7)], expected: 'segreto' },
    {
      name: 'quote',
      text: 'Dice:\nuno\ndue',
      entities: [e('blockquote', 6, 7)],
      expected: 'Dice:\n> uno\n> due',
    },
  ];

  it.each(cases)('$name', ({ text, entities, expected }) => {
    expect(toWhatsappMarkup({ text, entities })).toBe(expected);
  });
});

describe('whatsappMessageText', () => {
  const body = { text: 'Strada chiusa', entities: [e('bold', 0, 6)] };

  it('puts the category header above the body', () => {
    expect(whatsappMessageText({ body, category: 'viabilita' })).toBe('*VIABILITÀ*\n\n*Strada* chiusa');
  });

  it('ends with the public link when there is one', () => {
    expect(whatsappMessageText({ body, category: null, link: 'https://c.example/bollettini/3' })).toBe(
      '*Strada* chiusa\n\nVerifica: https://c.example/bollettini/3',
    );
  });

  it('is the link alone for a file without caption', () => {
    expect(
      whatsappMessageText({ body: { text: '', entities: [] }, category: null, link: 'https://x/b/1' }),
    ).toBe('Verifica: https://x/b/1');
  });
});

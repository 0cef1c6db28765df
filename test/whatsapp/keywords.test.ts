import { describe, expect, it } from 'vitest';
import { type Keyword, parseKeyword } from '../../src/whatsapp/keywords.js';

const subscribe: Keyword = { action: 'subscribe' };
const unsubscribe: Keyword = { action: 'unsubscribe' };
const lists: Keyword = { action: 'lists' };
const privacy: Keyword = { action: 'privacy' };
const ownData: Keyword = { action: 'own_data' };

const understood: [string, Keyword][] = [
  // every variant
  ['iscrizione', subscribe],
  ['iscrivimi', subscribe],
  ['iscriviti', subscribe],
  ['iscrivi', subscribe],
  ['mi iscrivo', subscribe],
  ['voglio iscrivermi', subscribe],
  ['attiva', subscribe],
  ['attivare', subscribe],
  ['iscrivermi', subscribe],
  ['cancella', unsubscribe],
  ['cancellami', unsubscribe],
  ['cancellazione', unsubscribe],
  ['disiscrivimi', unsubscribe],
  ['disiscrizione', unsubscribe],
  ['mi cancello', unsubscribe],
  ['disattiva', unsubscribe],
  ['stop', unsubscribe],
  ['liste', lists],
  ['lista', lists],
  ['elenco liste', lists],
  // case and accents
  ['Iscrizione', subscribe],
  ['ISCRIZIONE', subscribe],
  ['iScRiZiOnE', subscribe],
  ['iscrizióne', subscribe],
  ['ÌSCRIZIÒNE', subscribe],
  ['Cancellà', unsubscribe],
  ['STOP', unsubscribe],
  ['Elenco Liste', lists],
  // punctuation, emoji, WhatsApp formatting and whitespace
  ['Iscrizione!', subscribe],
  ['iscrizione!!!', subscribe],
  ['  iscrizione.  ', subscribe],
  ['"Iscrizione"', subscribe],
  ['«cancella»', unsubscribe],
  ['*ISCRIZIONE*', subscribe],
  ['_cancella_', unsubscribe],
  ['Stop…', unsubscribe],
  ['stop?', unsubscribe],
  ['iscrizione 👍', subscribe],
  ['🙏🙏 cancellami 🙏', unsubscribe],
  ['✅ Attiva', subscribe],
  ['iscrizione\n', subscribe],
  ['\n\nCancella\n', unsubscribe],
  ['mi\niscrivo', subscribe],
  ['mi\u00a0cancello', unsubscribe],
  ['voglio   iscrivermi!', subscribe],
  ['iscri\u200bzione', subscribe],
  ['elenco, liste?', lists],
  // one-letter typos in long keyword words
  ['iscrizone', subscribe],
  ['iscirzione', subscribe],
  ['iscrizionne', subscribe],
  ['iscrizoine', subscribe],
  ['cancela', unsubscribe],
  ['cancellla', unsubscribe],
  ['cancelal', unsubscribe],
  ['cancellazzione', unsubscribe],
  ['disattvia', unsubscribe],
  ['atiiva', subscribe],
  ['attivrae', subscribe],
  ['cancelami', unsubscribe],
  ['mi iscirvo', subscribe],
  ['mi cancella', unsubscribe],
  ['vogio iscrivermi', subscribe],
  ['elenci liste', lists],
  // one list name
  ['Iscrizione scuola', { action: 'subscribe', list: 'scuola' }],
  ['Cancella viabilità', { action: 'unsubscribe', list: 'viabilita' }],
  ['ISCRIVIMI Eventi!', { action: 'subscribe', list: 'eventi' }],
  ['mi iscrivo scuola', { action: 'subscribe', list: 'scuola' }],
  ['mi cancello viabilità', { action: 'unsubscribe', list: 'viabilita' }],
  ['voglio iscrivermi protezione-civile', { action: 'subscribe', list: 'protezione-civile' }],
  ['stop cultura', { action: 'unsubscribe', list: 'cultura' }],
  ['iscrizione: scuola', { action: 'subscribe', list: 'scuola' }],
  ['iscrizione zona2', { action: 'subscribe', list: 'zona2' }],
  ['iscrizone scuola', { action: 'subscribe', list: 'scuola' }],
  // politeness words
  ['Iscrizione grazie', subscribe],
  ['Iscrizione grazie mille!', subscribe],
  ['Cancella per favore', unsubscribe],
  ['per favore cancellami', unsubscribe],
  ['ciao, iscrizione', subscribe],
  ['buongiorno iscrivimi', subscribe],
  ['Salve! Disattiva, perfavore.', unsubscribe],
  ['Buonasera, stop. Grazie', unsubscribe],
  ['iscrizione per piacere', subscribe],
  ['prego, liste', lists],
  ['Ciao! Iscrizione scuola, grazie 🙏', { action: 'subscribe', list: 'scuola' }],
  // the citizen's own data
  ['PRIVACY', privacy],
  ['Privacy?', privacy],
  ['informativa', privacy],
  ['Informativa privacy, grazie', privacy],
  ['privaci', privacy],
  ['I MIEI DATI', ownData],
  ['i miei dati', ownData],
  ['Miei dati', ownData],
  ['DATI', ownData],
  ['dati personali', ownData],
  ['Buongiorno, i miei dati personali per favore', ownData],
  ['i mie dati', ownData],
];

const rejected: string[] = [
  // sentences that merely contain a keyword-like word
  'vorrei informazioni sulla cancellazione della TARI',
  'come faccio a cancellare la multa?',
  'ho bisogno di iscrivere mio figlio a scuola',
  'stop ai lavori in via Roma?',
  'voglio iscrivermi alla lista scuola',
  'iscrizione scuola materna',
  'cancella la mia iscrizione per favore',
  'la lista della spesa',
  'Iscrizioni?',
  'cancellazioni',
  // real words one letter away from a keyword are not typos
  'cancello',
  'cancelli',
  'cattiva',
  'attivo',
  'attira',
  'cancellati',
  'iscriva',
  // short keyword words forgive no typo
  'stip',
  'stoop',
  'sto',
  'listo',
  'mi iscrivo a',
  // two typos are too many
  'iscrzone',
  'kancela',
  // unrelated messages
  "Buongiorno, a che ora apre l'anagrafe?",
  'grazie',
  'ciao',
  'per favore',
  'ok',
  'sì',
  'Elenco',
  // a keyword that names no list, or names two
  'liste scuola',
  'iscrizione cancella',
  'iscrivimi a',
  'cancella mi',
  'iscrizione scuola eventi',
  'scuola iscrizione',
  'privacy scuola',
  'i miei dati scuola',
  'dati scuola',
  'iscrizione dati',
  // sentences about data or privacy
  'vorrei i miei dati del conto corrente',
  'la privacy dei miei figli',
  'dato',
  // numbers, links, empty
  '123',
  '3331234567',
  'https://www.comune.example.it/iscrizione',
  'www.comune.it',
  '',
  '   ',
  '\n\t\u00a0',
  '👍',
  '🙏🙏🙏',
  '!!!',
  `iscrizione${' '.repeat(200)}`,
  'iscrizione '.repeat(30),
];

describe('parseKeyword', () => {
  it.each(understood)('reads %j as %j', (text, expected) => {
    expect(parseKeyword(text)).toStrictEqual(expected);
  });

  it.each(rejected)('does not read %j as a keyword', (text) => {
    expect(parseKeyword(text)).toBeNull();
  });

  it('never throws on random strings of up to 300 characters', () => {
    const random = mulberry32(20240601);
    const alphabet = [
      ...'abcdefghijklmnopqrstuvwxyzàèéìòù ISCRIZONE-_.,;:!?\'"…\n\t\u00a0\u200b\u0301\ufe0f',
      '👍',
      '🙏🏽',
      '👨‍👩‍👧',
      '🇮🇹',
      '1️⃣',
      '\ud800',
      '\udfff',
      'İ',
      'ß',
      'ﬁ',
      ' iscrizione ',
      ' cancella ',
      ' per favore ',
    ];
    for (let run = 0; run < 3000; run++) {
      const length = Math.floor(random() * 301);
      let text = '';
      while (text.length < length) text += alphabet[Math.floor(random() * alphabet.length)];
      text = text.slice(0, length);
      const result = parseKeyword(text);
      if (result === null) continue;
      expect(['subscribe', 'unsubscribe', 'lists', 'privacy', 'own_data']).toContain(result.action);
      if ('list' in result) expect(result.list).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });
});

// Seeded, so a failure reproduces.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

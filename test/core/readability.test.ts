import { describe, expect, it } from 'vitest';
import { gulpease } from '../../src/core/readability.js';
import { readabilityHint } from '../../src/telegram/texts.js';

describe('gulpease', () => {
  it('scores a short plain Italian sentence as easy', () => {
    // 1 sentence, 5 words, 21 letters: 89 + (300 - 210) / 5 = 107, clamped to 100.
    expect(gulpease('Il gatto è sul tetto.')).toBe(100);
  });

  it('computes the index from sentences, words and letters', () => {
    // 1 sentence, 10 words, 69 letters: 89 + (300 - 690) / 10 = 50.
    expect(gulpease('La biblioteca comunale resterà chiusa per lavori di manutenzione straordinaria.')).toBe(
      50,
    );
  });

  it('scores bureaucratic Italian as hard', () => {
    const text =
      'Si comunica che, in ottemperanza alle disposizioni regolamentari vigenti, ' +
      'l’amministrazione comunale ha provveduto alla predisposizione della documentazione ' +
      'propedeutica all’espletamento della procedura concorsuale.';
    // 1 sentence, 22 words, 175 letters: 89 + (300 - 1750) / 22 = 23.09.
    expect(gulpease(text)).toBe(23);
  });

  it('counts a line break as the end of a sentence', () => {
    expect(gulpease('Mercato in piazza\nDalle otto alle tredici')).toBe(
      gulpease('Mercato in piazza. Dalle otto alle tredici.'),
    );
  });

  it('has no index for a text without words', () => {
    expect(gulpease('')).toBeUndefined();
    expect(gulpease('📷 !!')).toBeUndefined();
  });
});

describe('readabilityHint', () => {
  it('says nothing from 60 up, names the "licenza media" reader from 40 to 59, the diploma below 40', () => {
    expect(readabilityHint(undefined)).toBeUndefined();
    expect(readabilityHint(60)).toBeUndefined();
    expect(readabilityHint(59)).toBe(
      'Testo difficile per chi ha la licenza media: frasi più brevi e parole comuni aiutano.',
    );
    expect(readabilityHint(40)).toBe(readabilityHint(59));
    expect(readabilityHint(39)).toBe(
      'Testo molto difficile anche per chi ha un diploma: frasi più brevi e parole comuni aiutano.',
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readContactsFile } from '../../src/core/contacts-file.js';
import { displayNumber, normalisePhoneNumber } from '../../src/core/phone-numbers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

describe('normalising a phone number', () => {
  it.each([
    ['333 123 4567', '393331234567'],
    ['+39 333-123-4567', '393331234567'],
    ['0039 3331234567', '393331234567'],
    ['393331234567', '393331234567'],
    ['333.123.4567', '393331234567'],
    ['(+39) 333 1234567', '393331234567'],
    ['tel:+39-333-1234567', '393331234567'],
    ['+44 7911 123456', '447911123456'],
  ])('reads %s as E.164 %s, Italian when no country is written', (raw, digits) => {
    expect(normalisePhoneNumber(raw)?.digits).toBe(digits);
  });

  it('marks fixed lines, which are rarely on WhatsApp, and keeps them valid', () => {
    expect(normalisePhoneNumber('055 123 4567')).toEqual({ digits: '390551234567', landline: true });
    expect(normalisePhoneNumber('333 123 4567')).toEqual({ digits: '393331234567', landline: false });
  });

  it.each(['12345', 'nessuno', '', '+39', 'Maria Rossi', '1'.repeat(60)])('refuses %j', (raw) => {
    expect(normalisePhoneNumber(raw)).toBeUndefined();
  });

  it('shows a stored number as people read it', () => {
    expect(displayNumber('393331234567@s.whatsapp.net')).toBe('+39 333 123 4567');
  });
});

describe('reading a vCard export', () => {
  it('reads vCard 3.0 as an iPhone exports it: several numbers a card, folded lines, item1.TEL, 0039', () => {
    const file = readContactsFile(fixture('contacts-3.0.vcf'));
    expect(file).toEqual({
      format: 'vcard',
      numbers: ['393331234567', '390551234567', '393477654321', '393201112222'],
      invalid: 1,
      invalidSamples: [{ line: 21, value: '12345' }],
      duplicates: 1,
      landlines: 1,
    });
  });

  it('reads vCard 4.0 tel: URIs, folded, and foreign numbers', () => {
    const file = readContactsFile(fixture('contacts-4.0.vcf'));
    expect(file.numbers).toEqual(['393395556677', '390669821234', '447911123456']);
    expect(file.landlines).toBe(1);
    expect(file.invalidSamples).toEqual([{ line: 12, value: 'nessuno' }]);
  });

  it('reads vCard 2.1 as older Android phones export it', () => {
    const vcf =
      'BEGIN:VCARD\r\nVERSION:2.1\r\nN:;Pia;;;\r\nTEL;CELL;PREF:333 123 4567\r\nTEL;HOME:+39055-1234567\r\nEND:VCARD\r\n';
    expect(readContactsFile(Buffer.from(vcf)).numbers).toEqual(['393331234567', '390551234567']);
  });

  it('never returns a name', () => {
    const file = readContactsFile(fixture('contacts-3.0.vcf'));
    expect(JSON.stringify(file)).not.toMatch(/Rossi|Bianchi|Verdi|Maria/);
  });
});

describe('reading a CSV export', () => {
  it('finds the phone column by its header, with commas and quoted fields', () => {
    const csv =
      'Nome,Cognome,Telefono\r\n"Rossi, Maria",R,333 123 4567\r\nLuca,B,"+39 347-765-4321"\r\nX,Y,abc\r\n';
    const file = readContactsFile(Buffer.from(csv));
    expect(file).toMatchObject({
      format: 'csv',
      numbers: ['393331234567', '393477654321'],
      invalid: 1,
      invalidSamples: [{ line: 4, value: 'abc' }],
    });
  });

  it('reads semicolons and a byte order mark, as Excel in Italy saves', () => {
    const csv =
      '\uFEFFnome;cellulare;note\n Maria;3331234567;ok\nLuca;0039 320 111 2222;\nGiulia;333 123 4567;doppio\n';
    const file = readContactsFile(Buffer.from(csv, 'utf8'));
    expect(file).toMatchObject({ numbers: ['393331234567', '393201112222'], duplicates: 1, invalid: 0 });
  });

  it('without a header, takes the column where the numbers are and skips empty cells', () => {
    const csv = 'Maria;3331234567\nLuca;\nGiulia;+39 320 111 2222\n';
    expect(readContactsFile(Buffer.from(csv)).numbers).toEqual(['393331234567', '393201112222']);
  });

  it('reads several phone columns (a Google Contacts export) but not their labels', () => {
    const csv =
      'Name,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value\n' +
      'Maria,Mobile,+39 333 123 4567,Work,055 123 4567\n';
    const file = readContactsFile(Buffer.from(csv));
    expect(file).toMatchObject({ numbers: ['393331234567', '390551234567'], invalid: 0 });
  });

  it('quotes at most five unreadable entries, and counts them all', () => {
    const csv = `telefono\n${Array.from({ length: 8 }, (_, i) => `x${i}`).join('\n')}\n`;
    const file = readContactsFile(Buffer.from(csv));
    expect(file.invalid).toBe(8);
    expect(file.invalidSamples.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
  });
});

import { normalisePhoneNumber } from './phone-numbers.js';

/** The largest contacts file read: a phone's export of thousands of contacts is well below. */
export const MAX_CONTACTS_FILE_BYTES = 10 * 1024 * 1024;
/** How many unreadable entries the summary quotes. */
const INVALID_SAMPLES = 5;

export type ContactsFile = {
  format: 'vcard' | 'csv';
  /** Valid numbers, E.164 digits without the plus, each once, in the file's order. */
  numbers: string[];
  /** Entries that are no valid number: how many, and the first few with their line. */
  invalid: number;
  invalidSamples: { line: number; value: string }[];
  /** Numbers met again after their first appearance. */
  duplicates: number;
  /** Valid numbers that are fixed lines or special numbers, rarely on WhatsApp. */
  landlines: number;
};

type Candidate = { line: number; value: string };

/**
 * Reads the phone numbers of a vCard (2.1, 3.0, 4.0: several per card, folded lines, grouped
 * `item1.TEL`, `tel:` URIs) or CSV export (comma, semicolon or tab, a BOM, a header row or none).
 * Only numbers are read: names and every other field are left in the file.
 */
export function readContactsFile(data: Buffer): ContactsFile {
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const format = /^BEGIN:VCARD/im.test(text) ? 'vcard' : 'csv';
  const candidates = format === 'vcard' ? vcardNumbers(text) : csvNumbers(text);
  const seen = new Set<string>();
  const result: ContactsFile = {
    format,
    numbers: [],
    invalid: 0,
    invalidSamples: [],
    duplicates: 0,
    landlines: 0,
  };
  for (const { line, value } of candidates) {
    const number = normalisePhoneNumber(value);
    if (!number) {
      result.invalid++;
      if (result.invalidSamples.length < INVALID_SAMPLES)
        result.invalidSamples.push({ line, value: value.trim().slice(0, 40) });
    } else if (seen.has(number.digits)) {
      result.duplicates++;
    } else {
      seen.add(number.digits);
      result.numbers.push(number.digits);
      if (number.landline) result.landlines++;
    }
  }
  return result;
}

/** Logical lines (RFC 6350 folding undone: a line starting with a space or tab continues the last). */
function unfold(text: string): Candidate[] {
  const lines: Candidate[] = [];
  for (const [i, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const last = lines.at(-1);
    if (last && /^[ \t]/.test(raw)) last.value += raw.slice(1);
    else lines.push({ line: i + 1, value: raw });
  }
  return lines;
}

// [group.]TEL[;params]:value, e.g. "TEL;TYPE=CELL:+39 333 1234567", "item1.TEL;type=pref:..."
const TEL = /^(?:[\w-]+\.)?TEL(?:;[^:]*)?:(.*)$/i;

function vcardNumbers(text: string): Candidate[] {
  return unfold(text).flatMap(({ line, value }) => {
    const match = TEL.exec(value);
    return match?.[1]?.trim() ? [{ line, value: match[1] }] : [];
  });
}

const PHONE_HEADER = /tel|phone|cell|mobile|numero|number|whatsapp|recapito/i;
const NOT_A_NUMBER_HEADER = /type|tipo|label|etichetta/i;

function csvNumbers(text: string): Candidate[] {
  const rows = csvRows(text, separatorOf(text));
  const first = rows[0];
  if (!first) return [];
  const isHeader =
    first.cells.some((cell) => /\p{L}/u.test(cell)) &&
    !first.cells.some((cell) => normalisePhoneNumber(cell) !== undefined);
  const body = isHeader ? rows.slice(1) : rows;
  const named = isHeader
    ? first.cells.flatMap((cell, i) =>
        PHONE_HEADER.test(cell) && !NOT_A_NUMBER_HEADER.test(cell) ? [i] : [],
      )
    : [];
  const columns = named.length > 0 ? named : [likeliestPhoneColumn(body)];
  return body.flatMap((row) =>
    columns.flatMap((column) => {
      const value = row.cells[column]?.trim() ?? '';
      return value === '' ? [] : [{ line: row.line, value }];
    }),
  );
}

/** Without a phone header, the column where most cells are valid numbers (the first on a tie). */
function likeliestPhoneColumn(rows: { cells: string[] }[]): number {
  const valid: number[] = [];
  for (const row of rows.slice(0, 200)) {
    row.cells.forEach((cell, i) => {
      if (normalisePhoneNumber(cell)) valid[i] = (valid[i] ?? 0) + 1;
    });
  }
  let best = 0;
  valid.forEach((n, i) => {
    if (n > (valid[best] ?? 0)) best = i;
  });
  return best;
}

/** The separator of the first line: the most frequent of semicolon, comma and tab outside quotes. */
function separatorOf(text: string): string {
  const firstLine = (text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '').replace(/"[^"]*"/g, '');
  const count = (sep: string) => firstLine.split(sep).length - 1;
  return [';', ',', '\t'].reduce((best, sep) => (count(sep) > count(best) ? sep : best), ';');
}

/** RFC 4180 rows (quoted fields may hold separators, quotes doubled, line breaks), blank rows skipped. */
function csvRows(text: string, separator: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === separator) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

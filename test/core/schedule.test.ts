import { describe, expect, it } from 'vitest';
import {
  fromRome,
  inWindow,
  nextOpening,
  parseRomeTime,
  quickChoiceTime,
  romeTime,
  startTime,
} from '../../src/core/schedule.js';

const day = { startMinute: 8 * 60, endMinute: 20 * 60 };
const utc = (iso: string) => new Date(`${iso}Z`);

describe('fromRome and romeTime', () => {
  it('use one hour in winter and two in summer', () => {
    expect(fromRome(2026, 1, 15, 8, 0)).toEqual(utc('2026-01-15T07:00:00'));
    expect(fromRome(2026, 7, 15, 8, 0)).toEqual(utc('2026-07-15T06:00:00'));
    expect(romeTime(utc('2026-07-15T22:30:00'))).toMatchObject({
      year: 2026,
      month: 7,
      day: 16,
      hour: 0,
      minute: 30,
    });
  });

  it('follow the clocks on the days they change', () => {
    // 29 March 2026: 02:00 becomes 03:00. 25 October 2026: 03:00 becomes 02:00.
    expect(fromRome(2026, 3, 29, 1, 30)).toEqual(utc('2026-03-29T00:30:00'));
    expect(fromRome(2026, 3, 29, 3, 30)).toEqual(utc('2026-03-29T01:30:00'));
    expect(fromRome(2026, 3, 29, 2, 30)).toEqual(utc('2026-03-29T01:30:00'));
    expect(fromRome(2026, 10, 25, 2, 30)).toEqual(utc('2026-10-25T00:30:00'));
    expect(fromRome(2026, 10, 25, 8, 0)).toEqual(utc('2026-10-25T07:00:00'));
    expect(fromRome(2026, 10, 24, 8, 0)).toEqual(utc('2026-10-24T06:00:00'));
  });

  it('normalises a day past the end of the month', () => {
    expect(fromRome(2026, 12, 32, 8, 0)).toEqual(utc('2027-01-01T07:00:00'));
  });
});

describe('the sending window', () => {
  it('is open from its start to just before its end, Rome time', () => {
    expect(inWindow(fromRome(2026, 11, 28, 8, 0), day)).toBe(true);
    expect(inWindow(fromRome(2026, 11, 28, 19, 59), day)).toBe(true);
    expect(inWindow(fromRome(2026, 11, 28, 20, 0), day)).toBe(false);
    expect(inWindow(fromRome(2026, 11, 28, 7, 59), day)).toBe(false);
  });

  it('opens next this morning before 8, tomorrow morning after 20', () => {
    expect(nextOpening(fromRome(2026, 11, 28, 3, 0), day)).toEqual(fromRome(2026, 11, 28, 8, 0));
    expect(nextOpening(fromRome(2026, 11, 28, 22, 0), day)).toEqual(fromRome(2026, 11, 29, 8, 0));
    const open = fromRome(2026, 11, 28, 10, 0);
    expect(nextOpening(open, day)).toBe(open);
  });

  it('opens at 8 Rome time on the mornings the clocks change', () => {
    expect(nextOpening(fromRome(2026, 3, 28, 23, 0), day)).toEqual(utc('2026-03-29T06:00:00'));
    expect(nextOpening(fromRome(2026, 10, 24, 23, 0), day)).toEqual(utc('2026-10-25T07:00:00'));
  });

  it('is always open from 00:00 to 24:00, and may span midnight', () => {
    const always = { startMinute: 0, endMinute: 24 * 60 };
    expect(inWindow(fromRome(2026, 11, 28, 3, 0), always)).toBe(true);
    const night = { startMinute: 22 * 60, endMinute: 6 * 60 };
    expect(inWindow(fromRome(2026, 11, 28, 23, 0), night)).toBe(true);
    expect(inWindow(fromRome(2026, 11, 28, 12, 0), night)).toBe(false);
    expect(nextOpening(fromRome(2026, 11, 28, 12, 0), night)).toEqual(fromRome(2026, 11, 28, 22, 0));
  });
});

describe('startTime', () => {
  const night = fromRome(2026, 11, 28, 23, 0);
  const morning = fromRome(2026, 11, 29, 8, 0);

  it('is now (null) inside the window with no time asked', () => {
    expect(
      startTime({ requested: null, urgent: false, now: fromRome(2026, 11, 28, 10, 0), window: day }),
    ).toBeNull();
  });

  it('waits for the morning at night, unless urgent', () => {
    expect(startTime({ requested: null, urgent: false, now: night, window: day })).toEqual(morning);
    expect(startTime({ requested: null, urgent: true, now: night, window: day })).toBeNull();
  });

  it('moves a time asked at night to the opening, and keeps one asked by day', () => {
    const now = fromRome(2026, 11, 28, 10, 0);
    const at = fromRome(2026, 11, 28, 21, 30);
    expect(startTime({ requested: at, urgent: false, now, window: day })).toEqual(morning);
    expect(startTime({ requested: at, urgent: true, now, window: day })).toEqual(at);
    const noon = fromRome(2026, 11, 28, 12, 0);
    expect(startTime({ requested: noon, urgent: false, now, window: day })).toEqual(noon);
  });

  it('treats a time already gone as now', () => {
    const now = fromRome(2026, 11, 28, 10, 0);
    expect(
      startTime({ requested: fromRome(2026, 11, 28, 9, 0), urgent: false, now, window: day }),
    ).toBeNull();
  });
});

describe('quickChoiceTime', () => {
  // Saturday 28 November 2026, 14:20:30 in Rome.
  const now = fromRome(2026, 11, 28, 14, 20);
  const later = new Date(now.getTime() + 30_000);

  it('counts hours from the next whole minute', () => {
    expect(quickChoiceTime('h1', later)).toEqual(fromRome(2026, 11, 28, 15, 21));
    expect(quickChoiceTime('h3', now)).toEqual(fromRome(2026, 11, 28, 17, 20));
  });

  it('names tomorrow at 8 and 12, and next Monday at 8', () => {
    expect(quickChoiceTime('t8', now)).toEqual(fromRome(2026, 11, 29, 8, 0));
    expect(quickChoiceTime('t12', now)).toEqual(fromRome(2026, 11, 29, 12, 0));
    expect(quickChoiceTime('m8', now)).toEqual(fromRome(2026, 11, 30, 8, 0));
    // On a Monday, "lunedì" is the next one.
    expect(quickChoiceTime('m8', fromRome(2026, 11, 30, 7, 0))).toEqual(fromRome(2026, 12, 7, 8, 0));
  });

  it('gives tomorrow at 8 in the new offset across a clock change', () => {
    expect(quickChoiceTime('t8', fromRome(2026, 3, 28, 20, 0))).toEqual(utc('2026-03-29T06:00:00'));
  });
});

describe('parseRomeTime', () => {
  const now = fromRome(2026, 11, 28, 12, 0);

  it('reads gg/mm hh:mm in Rome time, this year', () => {
    expect(parseRomeTime('05/12 08:30', now)).toEqual(fromRome(2026, 12, 5, 8, 30));
    expect(parseRomeTime('5/12 8.30', now)).toEqual(fromRome(2026, 12, 5, 8, 30));
    expect(parseRomeTime('28/11 11:00', now)).toEqual(fromRome(2026, 11, 28, 11, 0));
  });

  it('reads a year when given, and takes next year for a month long gone', () => {
    expect(parseRomeTime('05/07/2027 09:00', now)).toEqual(utc('2027-07-05T07:00:00'));
    expect(parseRomeTime('03/01 09:00', now)).toEqual(fromRome(2027, 1, 3, 9, 0));
  });

  it('gives nothing for dates and times that do not exist', () => {
    for (const text of [
      '31/02 10:00',
      '29/02/2027 10:00',
      '10/13 10:00',
      '00/12 10:00',
      '10/12 24:00',
      '10/12 10:60',
      '10-12 10:00',
      'domani',
      '10/12',
    ]) {
      expect(parseRomeTime(text, now), text).toBeUndefined();
    }
  });
});

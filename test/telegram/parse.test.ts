import { describe, expect, it } from 'vitest';
import { draftText, parseRoleCommand, parseScheduleCommand } from '../../src/telegram/parse.js';
import { person, textMessage } from '../helpers/bot-api.js';

describe('parseRoleCommand', () => {
  it('reads an id and a role, with nessuno meaning no role', () => {
    expect(parseRoleCommand('12345 Approvatore')).toEqual({ targetId: 12345, role: 'approvatore' });
    expect(parseRoleCommand('  12345   nessuno ')).toEqual({ targetId: 12345, role: null });
  });

  it('takes the person from the replied message when only a role is given', () => {
    expect(parseRoleCommand('redattore', 77)).toEqual({ targetId: 77, role: 'redattore' });
    expect(parseRoleCommand('redattore')).toBeUndefined();
  });

  it('rejects anything else', () => {
    for (const args of [
      '',
      '12345',
      'abc redattore',
      '-5 redattore',
      '0 redattore',
      '12345 sindaco',
      '1 2 3',
    ]) {
      expect(parseRoleCommand(args), args).toBeUndefined();
    }
  });
});

describe('parseScheduleCommand', () => {
  it('reads the bulletin number and the time as written', () => {
    expect(parseScheduleCommand('12 05/12 08:30')).toEqual({ bulletinId: 12, time: '05/12 08:30' });
    expect(parseScheduleCommand(' n. 3   24/12/2026 9.00 ')).toEqual({
      bulletinId: 3,
      time: '24/12/2026 9.00',
    });
  });

  it('gives nothing without a number and a time', () => {
    for (const args of ['', '12', '05/12 08:30', 'x 05/12 08:30', '1234567890 05/12 08:30']) {
      expect(parseScheduleCommand(args), args).toBeUndefined();
    }
  });
});

describe('draftText', () => {
  const from = person(5);
  it('prefers the text after the command, then the replied text, then its caption', () => {
    const replied = textMessage({ chatId: -1, from, text: 'Testo risposto' });
    expect(draftText('Testo diretto', replied)).toBe('Testo diretto');
    expect(draftText('  ', replied)).toBe('Testo risposto');
    expect(draftText('', { ...replied, text: undefined, caption: 'Didascalia' })).toBe('Didascalia');
    expect(draftText('', undefined)).toBeUndefined();
    expect(draftText('', { ...replied, text: '   ' })).toBeUndefined();
  });
});

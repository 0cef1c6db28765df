import { describe, expect, it } from 'vitest';
import { decisionData, draftText, parseDecision, parseRoleCommand } from '../../src/telegram/parse.js';
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

describe('parseDecision', () => {
  it('reads back what decisionData wrote', () => {
    expect(parseDecision(decisionData('approve', 42))).toEqual({ action: 'approve', bulletinId: 42 });
    expect(parseDecision(decisionData('reject', 7))).toEqual({ action: 'reject', bulletinId: 7 });
  });

  it('accepts the version the preview buttons carry (buttonData)', () => {
    expect(parseDecision('approve:1:2')).toEqual({ action: 'approve', bulletinId: 1 });
  });

  it('ignores any other data', () => {
    for (const data of [
      'approve:',
      'approve:x',
      'publish:1',
      'approve:1:2:3',
      ' approve:1',
      'approve:1234567890',
    ]) {
      expect(parseDecision(data), data).toBeUndefined();
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

import { describe, expect, it } from 'vitest';
import type { DomainErrorCode } from '../../src/core/errors.js';
import { refusal, staffNotice } from '../../src/telegram/texts.js';

describe('texts', () => {
  it('say each domain refusal in Italian', () => {
    const codes: DomainErrorCode[] = [
      'not_staff',
      'forbidden',
      'bulletin_not_found',
      'bulletin_not_pending',
      'self_approval',
      'empty_text',
      'text_too_long',
      'invalid_role',
      'configured_admin',
    ];
    expect(refusal('not_staff')).toBe('Non hai un ruolo nello staff.');
    expect(refusal('forbidden')).toBe('Il tuo ruolo non lo consente.');
    expect(refusal('self_approval')).toBe(
      'Non puoi approvare un bollettino che hai scritto o modificato tu (testo, categoria o liste): serve un altro approvatore.',
    );
    expect(refusal('bulletin_not_pending')).toBe('Questo bollettino è già stato deciso.');
    for (const code of codes) expect(refusal(code)).toMatch(/^[A-Z].*\.$/);
  });

  it('render a bulletin_sent notice in one line, singular and plural', () => {
    expect(staffNotice({ kind: 'bulletin_sent', bulletinId: 3, sent: 120, failed: 2 })).toBe(
      'Bollettino n. 3 inviato: 120 messaggi partiti, 2 non riusciti.',
    );
    expect(staffNotice({ kind: 'bulletin_sent', bulletinId: 4, sent: 1, failed: 1 })).toBe(
      'Bollettino n. 4 inviato: 1 messaggio partito, 1 non riuscito.',
    );
    expect(staffNotice({ kind: 'unknown' } as never)).toBeUndefined();
  });
});

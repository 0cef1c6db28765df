import { describe, expect, it } from 'vitest';
import {
  bodyLength,
  excerpt,
  isEmptyBody,
  normaliseBody,
  normaliseEntities,
  parseBody,
  plainText,
  shiftEntities,
} from '../../src/core/body.js';
import type { BodyEntity } from '../../src/core/outlets.js';
import { bodyVersionHash, storedVersionHash, versionHash } from '../../src/core/version-hash.js';

const e = (type: BodyEntity['type'], offset: number, length: number, extra: object = {}): BodyEntity => ({
  type,
  offset,
  length,
  ...extra,
});

describe('normaliseEntities', () => {
  it('splits crossing entities so they nest', () => {
    expect(normaliseEntities('uno due tre', [e('bold', 0, 7), e('italic', 4, 7)])).toEqual([
      e('bold', 0, 7),
      e('italic', 4, 3),
      e('italic', 7, 4),
    ]);
  });

  it('clips to the text, drops empty, unknown and duplicate entities and links without an address', () => {
    const entities = [
      e('bold', 2, 50),
      e('italic', 1, 0),
      { type: 'mention', offset: 0, length: 2 } as unknown as BodyEntity,
      e('bold', 2, 50),
      e('text_link', 0, 2),
    ];
    expect(normaliseEntities('Avviso', entities)).toEqual([e('bold', 2, 4)]);
  });

  it('never splits an emoji: offsets move to whole code points', () => {
    // "📢" is two UTF-16 units: an entity starting or ending in its middle takes all of it.
    expect(normaliseEntities('a📢b', [e('bold', 2, 1), e('italic', 0, 2)])).toEqual([
      e('italic', 0, 3),
      e('bold', 1, 2),
    ]);
  });

  it('gives one order whatever order the entities came in', () => {
    const a = [e('italic', 0, 4), e('bold', 0, 4), e('text_link', 0, 4, { url: 'https://x' })];
    expect(normaliseEntities('uno!', a)).toEqual(normaliseEntities('uno!', [...a].reverse()));
  });
});

describe('normaliseBody', () => {
  it('trims the text and moves the entities with it', () => {
    expect(normaliseBody({ text: '  \n📢 Avviso  ', entities: [e('bold', 6, 6)] })).toEqual({
      text: '📢 Avviso',
      entities: [e('bold', 3, 6)],
    });
  });
});

describe('body helpers', () => {
  const body = { text: 'Strada chiusa 📢', entities: [e('bold', 0, 6)] };

  it('reads plain text, length in UTF-16 units and emptiness', () => {
    expect(plainText(body)).toBe('Strada chiusa 📢');
    expect(bodyLength(body)).toBe(16);
    expect(isEmptyBody({ text: ' \n', entities: [] })).toBe(true);
    expect(isEmptyBody(body)).toBe(false);
  });

  it('cuts an excerpt without splitting an emoji', () => {
    expect(excerpt(body, 16)).toBe('Strada chiusa 📢');
    expect(excerpt(body, 15)).toBe('Strada chiusa …');
    expect(excerpt(body, 10)).toBe('Strada ch…');
  });

  it('places entities after a header and clips them to a limit', () => {
    expect(shiftEntities(body, 10, 13)).toEqual([e('bold', 10, 3)]);
  });

  it('reads back what the database holds, even when malformed', () => {
    expect(parseBody({ text: 'Ciao', entities: [e('bold', 0, 4), null] })).toEqual({
      text: 'Ciao',
      entities: [e('bold', 0, 4)],
    });
    expect(parseBody(null)).toEqual({ text: '', entities: [] });
  });
});

describe('version hashes', () => {
  const input = { category: 'viabilita', mediaSha256: null, lists: ['b', 'a'] };
  const body = { text: 'Strada chiusa', entities: [e('bold', 0, 6)] };

  it('covers the formatting: the same text with another entity has another hash', () => {
    const plain = bodyVersionHash({ ...input, body: { text: body.text, entities: [] } });
    expect(bodyVersionHash({ ...input, body })).not.toBe(plain);
    expect(
      bodyVersionHash({ ...input, body: { text: body.text, entities: [e('underline', 0, 6)] } }),
    ).not.toBe(bodyVersionHash({ ...input, body: { text: body.text, entities: [e('italic', 0, 6)] } }));
  });

  it('covers the media and the lists, not their order', () => {
    const hash = bodyVersionHash({ ...input, body });
    expect(bodyVersionHash({ ...input, body, lists: ['a', 'b'] })).toBe(hash);
    expect(bodyVersionHash({ ...input, body, lists: ['a'] })).not.toBe(hash);
    expect(bodyVersionHash({ ...input, body, mediaSha256: 'f'.repeat(64) })).not.toBe(hash);
  });

  it('checks a legacy version from its WhatsApp text and a new one from its body', () => {
    const legacy = { ...input, text: 'Strada *chiusa*', body: { text: 'Strada *chiusa*', entities: [] } };
    expect(storedVersionHash('whatsapp_text', legacy)).toBe(versionHash(legacy));
    expect(storedVersionHash('body', { ...input, text: body.text, body })).toBe(
      bodyVersionHash({ ...input, body }),
    );
  });

  it('keeps the legacy hash as it was computed before the neutral body', () => {
    // The value main computed before the neutral body: versions approved then must still check.
    expect(versionHash({ text: 'Avviso', category: 'eventi', mediaSha256: null, lists: ['notizie'] })).toBe(
      'e3b8c0f0c4b950507ae05be70e85766c9814bd293eb3e3285a2939c0d1d8cb95',
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { BodyEntity } from '../../src/core/outlets.js';
import { bodyToHtml, bodyToText, safeHref, splitTitle } from '../../src/web/render-html.js';

const at = (text: string, part: string) => text.indexOf(part);
function entity(text: string, part: string, type: BodyEntity['type'], extra: Partial<BodyEntity> = {}) {
  return { type, offset: at(text, part), length: part.length, ...extra };
}

describe('bodyToHtml', () => {
  it('escapes what staff wrote, script tags and quotes included', () => {
    const text = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const html = bodyToHtml({ text, entities: [] });
    expect(html).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
  });

  it('turns formatting into tags and line breaks into <br>', () => {
    const text = 'Strada chiusa\nvia Roma, sottolineato';
    const html = bodyToHtml({
      text,
      entities: [entity(text, 'Strada', 'bold'), entity(text, 'sottolineato', 'underline')],
    });
    expect(html).toBe('<strong>Strada</strong> chiusa<br>\nvia Roma, <u>sottolineato</u>');
  });

  it('nests formatting, and closes and reopens where two ranges overlap', () => {
    const text = 'abcdef';
    const html = bodyToHtml({
      text,
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 2, length: 4 },
      ],
    });
    expect(html).toBe('<strong>ab<em>cd</em></strong><em>ef</em>');
  });

  it('keeps http, https, mailto and tel links, and drops javascript: and data: ones', () => {
    const text = 'sito mail tel male dati';
    const html = bodyToHtml({
      text,
      entities: [
        entity(text, 'sito', 'text_link', { url: 'https://comune.example.it/a?b=1&c="2"' }),
        entity(text, 'mail', 'text_link', { url: 'mailto:urp@comune.example.it' }),
        entity(text, 'tel', 'text_link', { url: 'tel:+390551234567' }),
        entity(text, 'male', 'text_link', { url: 'javascript:alert(1)' }),
        entity(text, 'dati', 'text_link', { url: 'data:text/html,<script>alert(1)</script>' }),
      ],
    });
    expect(html).toBe(
      '<a href="https://comune.example.it/a?b=1&amp;c=%222%22">sito</a> ' +
        '<a href="mailto:urp@comune.example.it">mail</a> <a href="tel:+390551234567">tel</a> male dati',
    );
  });

  it('links a bare address with https, and leaves a javascript: "url" as text', () => {
    const text = 'www.comune.example.it e javascript:alert(1)';
    const html = bodyToHtml({
      text,
      entities: [entity(text, 'www.comune.example.it', 'url'), entity(text, 'javascript:alert(1)', 'url')],
    });
    expect(html).toBe(
      '<a href="https://www.comune.example.it/">www.comune.example.it</a> e javascript:alert(1)',
    );
  });

  it('keeps the line breaks of preformatted text and ignores entities outside the text', () => {
    const text = 'orari:\nlun 9-12\nmar 9-12';
    const html = bodyToHtml({
      text,
      entities: [
        entity(text, 'lun 9-12\nmar 9-12', 'pre', { language: '"><script>' }),
        { type: 'bold', offset: 20, length: 50 },
      ],
    });
    expect(html).toBe('orari:<br>\n<pre><code>lun 9-12\nmar 9-12</code></pre>');
  });
});

describe('bodyToText', () => {
  it('writes a link’s safe address after its words, and nothing for an unsafe one', () => {
    const text = 'Leggi qui o qua.';
    expect(
      bodyToText({
        text,
        entities: [
          entity(text, 'qui', 'text_link', { url: 'https://comune.example.it/avviso' }),
          entity(text, 'qua', 'text_link', { url: 'javascript:alert(1)' }),
        ],
      }),
    ).toBe('Leggi qui (https://comune.example.it/avviso) o qua.');
  });
});

describe('safeHref', () => {
  it.each([
    ['JavaScript:alert(1)', undefined],
    ['  javascript:alert(1)', undefined],
    ['vbscript:x', undefined],
    ['http://comune.example.it', 'http://comune.example.it/'],
  ])('%s -> %s', (input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });
});

describe('splitTitle', () => {
  it('takes the first line as the title and the rest, formatting moved with it, as the body', () => {
    const text = 'Chiusura scuole\n\nDomani le scuole restano chiuse.';
    const { title, rest } = splitTitle({ text, entities: [entity(text, 'Domani', 'bold')] });
    expect(title).toBe('Chiusura scuole');
    expect(rest).toEqual({
      text: 'Domani le scuole restano chiuse.',
      entities: [{ type: 'bold', offset: 0, length: 6 }],
    });
  });

  it('shortens a first line too long for a title and keeps the whole body', () => {
    const text = `${'parola '.repeat(40)}fine`;
    const { title, rest } = splitTitle({ text, entities: [] });
    expect(title!.length).toBeLessThanOrEqual(140);
    expect(title!.endsWith('…')).toBe(true);
    expect(rest.text).toBe(text);
  });
});

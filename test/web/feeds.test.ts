import { afterEach, expect, it } from 'vitest';
import { archiveOutlet, keptMedia, outgoing, PNG, plain, serveArchive } from '../helpers/archive.js';
import { describeWithDatabase } from '../helpers/db.js';
import { all, one, parseXml } from '../helpers/xml.js';

// RFC 822 as RSS 2.0 asks (with four-digit years): "Wed, 02 Dec 2026 14:05:00 GMT".
const RFC_822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const BASE = 'https://notizie.comune.example.it';

describeWithDatabase('the archive feeds', (ctx) => {
  let site: Awaited<ReturnType<typeof serveArchive>> | undefined;
  afterEach(async () => {
    await site?.close();
    site = undefined;
  });

  async function publishThree() {
    const outlet = archiveOutlet(ctx.db, BASE);
    const image = await keptMedia(ctx.db, { kind: 'image', mimeType: 'image/png', data: PNG });
    const text = 'Allerta meteo\nDomani <chiusi> i parchi & i giardini.';
    const withImage = await outgoing(
      ctx.db,
      { text, entities: [{ type: 'bold', offset: text.indexOf('Domani'), length: 6 }] },
      { category: 'Protezione civile', media: image, code: 'feedc0de' },
    );
    const plainOne = await outgoing(ctx.db, plain('Orari uffici\nDa lunedì si apre alle 8.'));
    const withdrawn = await outgoing(ctx.db, plain('Avviso ritirato\nNon valido.'));
    for (const bulletin of [withImage, plainOne, withdrawn]) await outlet.publish(bulletin);
    await outlet.revoke!(String(withdrawn.bulletinId));
    return { image, withImage, plainOne };
  }

  it('serves RSS 2.0 with the channel and item elements the specification requires, withdrawn ones left out', async () => {
    site = await serveArchive(ctx.db, { publicBaseUrl: BASE, comuneName: 'Comune di Prova' });
    const { image, withImage, plainOne } = await publishThree();

    const response = await fetch(`${site.url}/feed.xml`);
    const rss = parseXml(await response.text());

    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(rss.name).toBe('rss');
    expect(rss.attributes).toMatchObject({ version: '2.0', 'xmlns:atom': 'http://www.w3.org/2005/Atom' });
    const channel = one(rss, 'channel');
    expect(one(channel, 'title').text).toBe('Bollettini del Comune di Prova');
    expect(one(channel, 'link').text).toBe(`${BASE}/`);
    expect(one(channel, 'description').text).not.toBe('');
    expect(one(channel, 'language').text).toBe('it');
    expect(one(channel, 'lastBuildDate').text).toMatch(RFC_822);
    expect(one(channel, 'atom:link').attributes).toEqual({
      href: `${BASE}/feed.xml`,
      rel: 'self',
      type: 'application/rss+xml',
    });

    const items = all(channel, 'item');
    expect(items.map((item) => one(item, 'title').text)).toEqual(['Orari uffici', 'Allerta meteo']);
    const [second, first] = items;
    const page = `${BASE}/bollettini/${withImage.bulletinId}`;
    expect(one(first!, 'link').text).toBe(page);
    expect(one(first!, 'guid').attributes).toEqual({ isPermaLink: 'true' });
    expect(one(first!, 'guid').text).toBe(page);
    expect(one(first!, 'pubDate').text).toMatch(RFC_822);
    expect(Math.abs(Date.parse(one(first!, 'pubDate').text) - Date.now())).toBeLessThan(60_000);
    expect(one(first!, 'category').text).toBe('Protezione civile');
    expect(one(first!, 'description').text).toContain(
      '<strong>Domani</strong> &lt;chiusi&gt; i parchi &amp; i giardini.',
    );
    expect(one(first!, 'description').text).toContain('Codice di autenticità: feedc0de');
    expect(one(first!, 'enclosure').attributes).toEqual({
      url: `${BASE}/media/${image.sha256}`,
      length: String(PNG.length),
      type: 'image/png',
    });
    expect(one(second!, 'guid').text).toBe(`${BASE}/bollettini/${plainOne.bulletinId}`);
    expect(all(second!, 'enclosure')).toEqual([]);
  });

  it('serves JSON Feed 1.1 with its required fields, withdrawn ones left out', async () => {
    site = await serveArchive(ctx.db, { publicBaseUrl: BASE });
    const { image, withImage } = await publishThree();

    const response = await fetch(`${site.url}/feed.json`);
    const feed = (await response.json()) as Record<string, unknown> & { items: Record<string, unknown>[] };

    expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: expect.any(String),
      home_page_url: `${BASE}/`,
      feed_url: `${BASE}/feed.json`,
      language: 'it',
    });
    expect(feed.items).toHaveLength(2);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(true);
      expect(new Date(item.date_published as string).toISOString()).toBe(item.date_published);
    }
    const page = `${BASE}/bollettini/${withImage.bulletinId}`;
    expect(feed.items[1]).toEqual({
      id: page,
      url: page,
      title: 'Allerta meteo',
      content_html: expect.stringContaining(
        '<strong>Domani</strong> &lt;chiusi&gt; i parchi &amp; i giardini.',
      ),
      content_text: 'Domani <chiusi> i parchi & i giardini.\n\nCodice di autenticità: feedc0de',
      summary: 'Domani <chiusi> i parchi & i giardini.',
      date_published: expect.any(String),
      tags: ['Protezione civile'],
      image: `${BASE}/media/${image.sha256}`,
      attachments: [
        { url: `${BASE}/media/${image.sha256}`, mime_type: 'image/png', size_in_bytes: PNG.length },
      ],
    });
  });

  it('uses the address it was asked on when PUBLIC_BASE_URL is not set, and stays well-formed with no items', async () => {
    site = await serveArchive(ctx.db);

    const rss = parseXml(await (await fetch(`${site.url}/feed.xml`)).text());
    const json = (await (await fetch(`${site.url}/feed.json`)).json()) as {
      feed_url: string;
      items: unknown[];
    };

    expect(one(one(rss, 'channel'), 'atom:link').attributes.href).toBe(`${site.url}/feed.xml`);
    expect(all(one(rss, 'channel'), 'item')).toEqual([]);
    expect(json).toMatchObject({ feed_url: `${site.url}/feed.json`, items: [] });
  });
});

import type { EntryView } from './archive-view.js';
import { escapeHtml } from './render-html.js';

/**
 * The archive's feeds, for a Comune's website or any news reader: RSS 2.0
 * (https://www.rssboard.org/rss-specification) and JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
 * Addresses must be absolute here: `base` is PUBLIC_BASE_URL, or this request's origin.
 */
export type FeedSite = { comune: string; base: string };

const title = (site: FeedSite) => `Bollettini del ${site.comune}`;
const description = (site: FeedSite) => `I bollettini ufficiali del ${site.comune}, appena pubblicati.`;

/** The item's HTML: the body after the title, the media, the authenticity code. */
function contentHtml(entry: EntryView): string {
  const parts = entry.html ? [`<div>${entry.html}</div>`] : [];
  if (entry.media?.kind === 'image') {
    parts.push(`<p><img src="${escapeHtml(entry.media.url)}" alt="Immagine allegata"></p>`);
  } else if (entry.media) {
    const what = entry.media.kind === 'video' ? 'Video allegato' : 'Documento allegato';
    parts.push(`<p><a href="${escapeHtml(entry.media.url)}">${what}</a></p>`);
  }
  parts.push(`<p>Codice di autenticità: ${escapeHtml(entry.code)}</p>`);
  return parts.join('\n');
}

function contentText(entry: EntryView): string {
  return [entry.text, `Codice di autenticità: ${entry.code}`].filter(Boolean).join('\n\n');
}

const xml = escapeHtml;

/** RSS 2.0 with atom:link rel="self"; each item's guid is its page, media is an enclosure. */
export function rssFeed(site: FeedSite, entries: EntryView[], now: Date): string {
  const home = `${site.base}/`;
  const items = entries.map((entry) => {
    const lines = [
      `<title>${xml(entry.title)}</title>`,
      `<link>${xml(entry.url)}</link>`,
      `<guid isPermaLink="true">${xml(entry.url)}</guid>`,
      `<pubDate>${entry.publishedAt.toUTCString()}</pubDate>`,
      `<description>${xml(contentHtml(entry))}</description>`,
    ];
    if (entry.category) lines.push(`<category>${xml(entry.category)}</category>`);
    if (entry.media) {
      const length = entry.media.size ?? 0;
      lines.push(
        `<enclosure url="${xml(entry.media.url)}" length="${length}" type="${xml(entry.media.mimeType)}"/>`,
      );
    }
    return `<item>\n${lines.join('\n')}\n</item>`;
  });
  const latest = entries[0]?.publishedAt ?? now;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${xml(title(site))}</title>
<link>${xml(home)}</link>
<description>${xml(description(site))}</description>
<language>it</language>
<lastBuildDate>${now.toUTCString()}</lastBuildDate>
<pubDate>${latest.toUTCString()}</pubDate>
<atom:link href="${xml(`${site.base}/feed.xml`)}" rel="self" type="application/rss+xml"/>
${items.join('\n')}
</channel>
</rss>
`;
}

/** JSON Feed 1.1: each item's id is its page's address; media is an attachment. */
export function jsonFeed(site: FeedSite, entries: EntryView[]): object {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: title(site),
    home_page_url: `${site.base}/`,
    feed_url: `${site.base}/feed.json`,
    description: description(site),
    language: 'it',
    items: entries.map((entry) => ({
      id: entry.url,
      url: entry.url,
      title: entry.title,
      content_html: contentHtml(entry),
      content_text: contentText(entry),
      summary: entry.excerpt || undefined,
      date_published: entry.publishedAt.toISOString(),
      tags: entry.category ? [entry.category] : undefined,
      ...(entry.media?.kind === 'image' ? { image: entry.media.url } : {}),
      attachments: entry.media
        ? [
            {
              url: entry.media.url,
              mime_type: entry.media.mimeType,
              ...(entry.media.size === null ? {} : { size_in_bytes: entry.media.size }),
              ...(entry.media.fileName ? { title: entry.media.fileName } : {}),
            },
          ]
        : undefined,
    })),
  };
}

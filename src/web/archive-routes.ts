import { Hono } from 'hono';
import { archivedMediaFile, archiveEntry, latestArchiveEntries } from '../core/archive.js';
import type { Queryable } from '../db/client.js';
import { jsonFeed, rssFeed } from './archive-feeds.js';
import { bulletinPage, listPage, type Site, withdrawnPage } from './archive-pages.js';
import { ARCHIVE_CSS } from './archive-style.js';
import { entryView } from './archive-view.js';

/** What the public archive's routes need: the database and how the site names and links itself. */
export type ArchiveSite = {
  db: Queryable;
  comuneName: string;
  /** PUBLIC_BASE_URL (no trailing slash); unset: pages link relatively, feeds use the request's origin. */
  publicBaseUrl: string | undefined;
};

const PAGE_SIZE = 20;
const FEED_SIZE = 30;
/** Short: a bulletin withdrawn now must leave readers' caches soon. */
const PAGE_CACHE = 'public, max-age=60';
// Media is addressed by its hash, so its bytes never change; but Ritira must take it down, so
// caches keep it briefly and revalidate with the ETag.
const MEDIA_CACHE = 'public, max-age=300';
/** Types a browser may show in place; anything else is downloaded, never rendered on this origin. */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp)|video\/(mp4|webm|3gpp)|application\/pdf)$/;

/** `/`, `/bollettini/<n>`, `/media/<sha256>`, `/feed.xml`, `/feed.json` and the stylesheet. */
export function createArchiveRoutes(site: ArchiveSite): Hono {
  const app = new Hono();
  const pageSite: Site = { comune: site.comuneName, base: site.publicBaseUrl ?? '' };
  const feedBase = (requestUrl: string) => site.publicBaseUrl ?? new URL(requestUrl).origin;

  app.get('/', async (c) => {
    const page = Math.max(1, Number.parseInt(c.req.query('pagina') ?? '1', 10) || 1);
    const rows = await latestArchiveEntries(site.db, {
      limit: PAGE_SIZE + 1,
      offset: (page - 1) * PAGE_SIZE,
    });
    const entries = rows.slice(0, PAGE_SIZE).map((row) => entryView(row, pageSite.base));
    const older = rows.length > PAGE_SIZE ? `${pageSite.base}/?pagina=${page + 1}` : undefined;
    c.header('cache-control', PAGE_CACHE);
    return c.html(listPage(pageSite, entries, older));
  });

  app.get('/bollettini/:n{[0-9]{1,9}}', async (c) => {
    const row = await archiveEntry(site.db, Number(c.req.param('n')));
    if (!row) return c.notFound();
    const entry = entryView(row, pageSite.base);
    c.header('cache-control', PAGE_CACHE);
    if (row.withdrawnAt) return c.html(withdrawnPage(pageSite, entry, row.withdrawnAt), 410);
    return c.html(bulletinPage(pageSite, entry));
  });

  app.get('/media/:sha256{[0-9a-f]{64}}', async (c) => {
    const sha256 = c.req.param('sha256');
    const file = await archivedMediaFile(site.db, sha256);
    if (!file) return c.notFound();
    const etag = `"${sha256}"`;
    const headers: Record<string, string> = {
      'content-type': file.mimeType,
      'cache-control': MEDIA_CACHE,
      etag,
      // Feed readers and the Comune's own site show these images from another origin.
      'cross-origin-resource-policy': 'cross-origin',
    };
    if (!INLINE_TYPES.test(file.mimeType)) {
      const name = (file.fileName ?? 'documento').replace(/[^\w.-]+/g, '_');
      headers['content-disposition'] = `attachment; filename="${name}"`;
    }
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(file.data), 200, headers);
  });

  app.get('/feed.xml', async (c) => {
    const base = feedBase(c.req.url);
    const rows = await latestArchiveEntries(site.db, { limit: FEED_SIZE });
    const body = rssFeed(
      { comune: site.comuneName, base },
      rows.map((row) => entryView(row, base)),
      new Date(),
    );
    return c.body(body, 200, feedHeaders('application/rss+xml; charset=utf-8'));
  });

  app.get('/feed.json', async (c) => {
    const base = feedBase(c.req.url);
    const rows = await latestArchiveEntries(site.db, { limit: FEED_SIZE });
    const feed = jsonFeed(
      { comune: site.comuneName, base },
      rows.map((row) => entryView(row, base)),
    );
    return c.body(JSON.stringify(feed), 200, feedHeaders('application/feed+json; charset=utf-8'));
  });

  app.get('/stile.css', (c) =>
    c.body(ARCHIVE_CSS, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );
  return app;
}

function feedHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'cache-control': PAGE_CACHE,
    // A Comune's website may read the feed from its own pages' scripts.
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
  };
}

import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type EntryView, fileSize, type MediaView, romeDateTime } from './archive-view.js';

/**
 * The archive's pages: Italian, one column that reads on a phone, no script. Text from the
 * database goes through `html`'s escaping; only the body, rendered and escaped by
 * render-html.ts, is passed raw.
 */

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every page needs: the Comune's name and the base of the site's links ('' for relative). */
export type Site = { comune: string; base: string };

export function layout(site: Site, title: string, main: Markup): Markup {
  return html`<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${site.base}/stile.css">
<link rel="alternate" type="application/rss+xml" title="Bollettini del ${site.comune} (RSS)" href="${site.base}/feed.xml">
<link rel="alternate" type="application/feed+json" title="Bollettini del ${site.comune} (JSON Feed)" href="${site.base}/feed.json">
</head>
<body>
<header>
<a class="salta" href="#contenuto">Vai al contenuto</a>
<p class="sito"><a href="${site.base}/">${site.comune}</a></p>
<p class="sottotitolo">Bollettini ufficiali</p>
</header>
<main id="contenuto">
${main}
</main>
<footer>
<p>Ricevi i bollettini nel tuo lettore di notizie: <a href="${site.base}/feed.xml">feed RSS</a> o <a href="${site.base}/feed.json">JSON Feed</a>.</p>
</footer>
</body>
</html>
`;
}

function meta(entry: EntryView): Markup {
  return html`<p class="meta">${entry.urgent ? html`<span class="urgente">Urgente</span> · ` : ''}${
    entry.category ? html`<span class="categoria">${entry.category}</span> · ` : ''
  }<time datetime="${entry.publishedAt.toISOString()}">${romeDateTime(entry.publishedAt)}</time></p>`;
}

/** `/`: the latest bulletins, newest first, and a link to older ones. */
export function listPage(site: Site, entries: EntryView[], older: string | undefined): Markup {
  const items = entries.map(
    (entry) => html`<li>
<article>
<h2><a href="${entry.url}">${entry.title}</a></h2>
${meta(entry)}
${entry.excerpt ? html`<p>${entry.excerpt}</p>` : ''}
</article>
</li>`,
  );
  return layout(
    site,
    `Bollettini del ${site.comune}`,
    html`<h1>Bollettini del ${site.comune}</h1>
${entries.length === 0 ? html`<p>Nessun bollettino pubblicato.</p>` : html`<ol class="elenco">${items}</ol>`}
${older ? html`<nav aria-label="Pagine"><p><a href="${older}">Bollettini precedenti</a></p></nav>` : ''}`,
  );
}

function mediaBlock(media: MediaView, title: string): Markup {
  const size = media.size === null ? '' : `, ${fileSize(media.size)}`;
  if (media.kind === 'image') {
    return html`<figure><img src="${media.url}" alt="Immagine allegata al bollettino: ${title}"></figure>`;
  }
  const what = media.kind === 'video' ? 'Guarda il video allegato' : 'Scarica il documento allegato';
  const name = media.fileName ? `: ${media.fileName}` : '';
  return html`<p class="allegato"><a href="${media.url}">${what}${name}</a> (${media.mimeType}${size})</p>`;
}

function authenticity(code: string): Markup {
  return html`<section class="codice" aria-labelledby="autenticita">
<h2 id="autenticita">Autenticità</h2>
<p>Codice di autenticità: <strong>${code}</strong></p>
<p>Il codice identifica il testo approvato dal Comune. Se hai ricevuto questo bollettino da
un'altra persona, confronta il testo con questa pagina: è ufficiale solo ciò che leggi qui.</p>
</section>`;
}

/** `/bollettini/<n>`: one bulletin with its category, date, media and authenticity code. */
export function bulletinPage(site: Site, entry: EntryView): Markup {
  return layout(
    site,
    `${entry.title} · ${site.comune}`,
    html`<article>
<p class="numero">Bollettino n. ${entry.number}</p>
<h1>${entry.title}</h1>
${meta(entry)}
${entry.html ? html`<div class="testo">${raw(entry.html)}</div>` : ''}
${entry.media ? mediaBlock(entry.media, entry.title) : ''}
${authenticity(entry.code)}
</article>
<p><a href="${site.base}/">Tutti i bollettini</a></p>`,
  );
}

/** A withdrawn bulletin: its words are gone, the page says when it was withdrawn. */
export function withdrawnPage(site: Site, entry: EntryView, withdrawnAt: Date): Markup {
  return layout(
    site,
    `Bollettino n. ${entry.number} ritirato · ${site.comune}`,
    html`<h1>Bollettino n. ${entry.number} ritirato</h1>
<p>Questo bollettino è stato ritirato dal Comune il
<time datetime="${withdrawnAt.toISOString()}">${romeDateTime(withdrawnAt)}</time> e non è più valido.
Se ti è stato inoltrato, non tenerne conto.</p>
<p>Codice di autenticità del bollettino ritirato: <strong>${entry.code}</strong></p>
<p><a href="${site.base}/">Tutti i bollettini</a></p>`,
  );
}

export function notFoundPage(site: Site): Markup {
  return layout(
    site,
    `Pagina non trovata · ${site.comune}`,
    html`<h1>Pagina non trovata</h1>
<p>La pagina che cerchi non esiste o non è più disponibile.</p>
<p><a href="${site.base}/">Vai ai bollettini</a></p>`,
  );
}

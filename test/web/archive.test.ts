import { afterEach, expect, it } from 'vitest';
import { archiveOutlet, keptMedia, outgoing, PNG, plain, serveArchive } from '../helpers/archive.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seededJid, seedSubscribers } from '../helpers/seed.js';

describeWithDatabase('the public archive', (ctx) => {
  let site: Awaited<ReturnType<typeof serveArchive>> | undefined;
  afterEach(async () => {
    await site?.close();
    site = undefined;
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${site!.url}${path}`, { headers });

  it('lists a published bulletin with its title, category, date in Europe/Rome and excerpt', async () => {
    site = await serveArchive(ctx.db);
    const outlet = archiveOutlet(ctx.db);
    const bulletin = await outgoing(
      ctx.db,
      plain('Chiusura scuole\nDomani le scuole restano chiuse per neve.'),
      {
        category: 'Scuola',
      },
    );

    const rome = new Intl.DateTimeFormat('it-IT', {
      timeZone: 'Europe/Rome',
      hour: '2-digit',
      minute: '2-digit',
    });
    const before = rome.format(new Date());

    expect(await outlet.findPosted!(bulletin)).toBeUndefined();
    expect(await outlet.publish(bulletin)).toEqual({ ok: true, externalId: String(bulletin.bulletinId) });
    const published = await get('/');
    const html = await published.text();
    const after = rome.format(new Date());

    expect(published.status).toBe(200);
    expect(published.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain(`<a href="/bollettini/${bulletin.bulletinId}">Chiusura scuole</a>`);
    expect(html).toContain('<span class="categoria">Scuola</span>');
    expect(html).toContain('Domani le scuole restano chiuse per neve.');
    expect(html).toMatch(
      new RegExp(`<time datetime="[^"]+">\\d+ \\w+ \\d{4} alle ore (${before}|${after})</time>`),
    );
    expect(await outlet.findPosted!(bulletin)).toBe(String(bulletin.bulletinId));
  });

  it('publishes a bulletin once however many times it is asked', async () => {
    site = await serveArchive(ctx.db);
    const outlet = archiveOutlet(ctx.db);
    const bulletin = await outgoing(ctx.db, plain('Avviso unico'));

    await outlet.publish(bulletin);
    const again = await outlet.publish({ ...bulletin, body: plain('Avviso cambiato') });

    expect(again).toEqual({ ok: true, externalId: String(bulletin.bulletinId) });
    const html = await (await get('/')).text();
    expect(html.match(/<article>/g)).toHaveLength(1);
    expect(html).toContain('Avviso unico');
    expect(html).not.toContain('Avviso cambiato');
  });

  it('shows one bulletin with its body, category, image and authenticity code', async () => {
    site = await serveArchive(ctx.db);
    const image = await keptMedia(ctx.db, { kind: 'image', mimeType: 'image/png', data: PNG });
    const text = 'Mercato spostato\nIl mercato di sabato si tiene in piazza Matteotti.';
    const bulletin = await outgoing(
      ctx.db,
      { text, entities: [{ type: 'bold', offset: text.indexOf('sabato'), length: 6 }] },
      { category: 'Commercio', urgent: true, code: 'a1b2c3d4', media: image },
    );
    await archiveOutlet(ctx.db).publish(bulletin);

    const page = await get(`/bollettini/${bulletin.bulletinId}`);
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(html).toContain('<h1>Mercato spostato</h1>');
    expect(html).toContain('Il mercato di <strong>sabato</strong> si tiene in piazza Matteotti.');
    expect(html).toContain('<span class="categoria">Commercio</span>');
    expect(html).toContain('<span class="urgente">Urgente</span>');
    expect(html).toContain(
      `<img src="/media/${image.sha256}" alt="Immagine allegata al bollettino: Mercato spostato">`,
    );
    expect(html).toContain('Codice di autenticità: <strong>a1b2c3d4</strong>');
    expect(html).toContain('è ufficiale solo ciò che leggi qui');

    const file = await get(`/media/${image.sha256}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('cache-control')).toBe('public, max-age=300');
    expect(file.headers.get('etag')).toBe(`"${image.sha256}"`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    const revalidated = await get(`/media/${image.sha256}`, { 'if-none-match': `"${image.sha256}"` });
    expect(revalidated.status).toBe(304);
  });

  it('links a video and a document, and sends a document of an unknown type as a download', async () => {
    site = await serveArchive(ctx.db);
    const video = await keptMedia(ctx.db, {
      kind: 'video',
      mimeType: 'video/mp4',
      data: Buffer.alloc(2_500),
    });
    const html = await keptMedia(ctx.db, {
      kind: 'document',
      mimeType: 'text/html',
      fileName: 'avviso "finto".html',
      data: Buffer.from('<script>alert(1)</script>'),
    });
    const first = await outgoing(ctx.db, plain('Video del consiglio'), { media: video });
    const second = await outgoing(ctx.db, plain('Delibera'), { media: html });
    await archiveOutlet(ctx.db).publish(first);
    await archiveOutlet(ctx.db).publish(second);

    expect(await (await get(`/bollettini/${first.bulletinId}`)).text()).toContain(
      `<a href="/media/${video.sha256}">Guarda il video allegato</a> (video/mp4, 3 kB)`,
    );
    expect(await (await get(`/bollettini/${second.bulletinId}`)).text()).toContain(
      'Scarica il documento allegato: avviso &quot;finto&quot;.html</a>',
    );
    const download = await get(`/media/${html.sha256}`);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="avviso_finto_.html"');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves no media that is not in a published bulletin', async () => {
    site = await serveArchive(ctx.db);
    const draftOnly = await keptMedia(ctx.db, { kind: 'image', mimeType: 'image/png', data: PNG });

    expect((await get(`/media/${draftOnly.sha256}`)).status).toBe(404);
    expect((await get(`/media/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await get('/media/../../etc/passwd')).status).toBe(404);
  });

  it('after Ritira says the bulletin was withdrawn, without its words, and drops it from the list and its media', async () => {
    site = await serveArchive(ctx.db);
    const outlet = archiveOutlet(ctx.db);
    const image = await keptMedia(ctx.db, { kind: 'image', mimeType: 'image/png', data: PNG });
    const bulletin = await outgoing(ctx.db, plain('Avviso sbagliato\nLa via Roma è chiusa.'), {
      media: image,
      code: 'deadbeef',
    });
    const { externalId } = (await outlet.publish(bulletin)) as { externalId: string };

    expect(await outlet.revoke!(externalId)).toBe(true);
    const page = await get(`/bollettini/${bulletin.bulletinId}`);
    const html = await page.text();

    expect(page.status).toBe(410);
    expect(html).toContain(`<h1>Bollettino n. ${bulletin.bulletinId} ritirato</h1>`);
    expect(html).toContain('<strong>deadbeef</strong>');
    expect(html).not.toContain('via Roma');
    expect(await (await get('/')).text()).not.toContain('Avviso sbagliato');
    expect((await get(`/media/${image.sha256}`)).status).toBe(404);
    expect(await outlet.revoke!(externalId)).toBe(true);
    expect(await outlet.revoke!('999999')).toBe(false);
    expect(await outlet.findPosted!(bulletin)).toBe(externalId);
  });

  it('escapes hostile text in the list, the page and the title', async () => {
    site = await serveArchive(ctx.db);
    const text = '<script>alert(1)</script>\nclicca <img src=x onerror=alert(2)> qui';
    const bulletin = await outgoing(
      ctx.db,
      {
        text,
        entities: [{ type: 'text_link', offset: text.indexOf('qui'), length: 3, url: 'javascript:alert(3)' }],
      },
      { category: '<b>Cat</b>' },
    );
    await archiveOutlet(ctx.db).publish(bulletin);

    for (const path of ['/', `/bollettini/${bulletin.bulletinId}`]) {
      const html = await (await get(path)).text();
      expect(html).not.toMatch(/<script|<img src=x|javascript:|<b>Cat/i);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('shows no personal data: no staff names, no numbers of subscribers', async () => {
    site = await serveArchive(ctx.db);
    await seedSubscribers(ctx.db, 3);
    // outgoing() drafts as admin 1 and approves as "Approvatore": both are in the database.
    const bulletin = await outgoing(ctx.db, plain('Avviso ai cittadini\nNulla di personale.'));
    await archiveOutlet(ctx.db).publish(bulletin);

    const pages = await Promise.all(
      ['/', `/bollettini/${bulletin.bulletinId}`, '/feed.xml', '/feed.json'].map(async (p) =>
        (await get(p)).text(),
      ),
    );
    for (const html of pages) {
      expect(html).toContain('Avviso ai cittadini');
      expect(html).not.toContain('Approvatore');
      for (const n of [1, 2, 3]) expect(html).not.toContain(seededJid(n).split('@')[0]);
    }
  });

  it('pages the list twenty at a time, newest first', async () => {
    site = await serveArchive(ctx.db);
    for (let n = 1; n <= 21; n++)
      await archiveOutlet(ctx.db).publish(await outgoing(ctx.db, plain(`Bollettino ${n}`)));

    const first = await (await get('/')).text();
    const second = await (await get('/?pagina=2')).text();

    expect(first.match(/<article>/g)).toHaveLength(20);
    expect(first.indexOf('Bollettino 21<')).toBeLessThan(first.indexOf('Bollettino 20<'));
    expect(first).toContain('<a href="/?pagina=2">Bollettini precedenti</a>');
    expect(second.match(/<article>/g)).toHaveLength(1);
    expect(second).toContain('Bollettino 1<');
  });

  it('links absolutely to PUBLIC_BASE_URL when it is set', async () => {
    site = await serveArchive(ctx.db, { publicBaseUrl: 'https://notizie.comune.example.it' });
    const bulletin = await outgoing(ctx.db, plain('Avviso'));
    await archiveOutlet(ctx.db).publish(bulletin);

    const html = await (await get('/')).text();

    expect(html).toContain(
      `<a href="https://notizie.comune.example.it/bollettini/${bulletin.bulletinId}">Avviso</a>`,
    );
    expect(html).toContain('href="https://notizie.comune.example.it/stile.css"');
  });

  it('says in /stato words where it publishes, and when its links cannot be absolute', async () => {
    expect(await archiveOutlet(ctx.db, 'https://notizie.comune.example.it').health()).toEqual({
      ok: true,
      detail:
        'pubblica su https://notizie.comune.example.it, feed https://notizie.comune.example.it/feed.xml',
    });
    expect(await archiveOutlet(ctx.db).health()).toEqual({
      ok: true,
      detail: 'pubblica sul sito, ma senza PUBLIC_BASE_URL i link non sono assoluti',
    });
  });

  it('answers an unknown address with an Italian page and 404, with security headers and no script', async () => {
    site = await serveArchive(ctx.db, { comuneName: 'Comune di Greve in Chianti' });

    for (const path of ['/nulla', '/bollettini/12345', '/bollettini/abc']) {
      const response = await get(path);
      const html = await response.text();
      expect(response.status).toBe(404);
      expect(html).toContain('<html lang="it">');
      expect(html).toContain('<h1>Pagina non trovata</h1>');
      expect(html).toContain('Comune di Greve in Chianti');
      expect(html).not.toContain('<script');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

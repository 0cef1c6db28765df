import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { archiveOutlet, keptMedia, outgoing, PNG, serveArchive } from '../helpers/archive.js';
import { axeViolations, browserSkip, launchBrowser, phonePage } from '../helpers/browser.js';
import { describeWithDatabase } from '../helpers/db.js';

describeWithDatabase('the public archive in a phone browser', (ctx) => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!browserSkip) browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.skipIf(browserSkip)(
    'shows the list, a bulletin and a withdrawn one on a phone, with zero axe-core violations',
    { timeout: 120_000 },
    async () => {
      const site = await serveArchive(ctx.db, { comuneName: 'Comune di Greve in Chianti' });
      try {
        const outlet = archiveOutlet(ctx.db);
        const image = await keptMedia(ctx.db, { kind: 'image', mimeType: 'image/png', data: PNG });
        const text =
          'Strada chiusa per lavori\nDa lunedì via Roma è chiusa. Informazioni sul sito del Comune.';
        const bulletin = await outgoing(
          ctx.db,
          {
            text,
            entities: [
              { type: 'bold', offset: text.indexOf('via Roma'), length: 8 },
              {
                type: 'text_link',
                offset: text.indexOf('sito'),
                length: 4,
                url: 'https://comune.example.it',
              },
            ],
          },
          { category: 'Viabilità', urgent: true, code: '7f3a9c21', media: image },
        );
        const withdrawn = await outgoing(ctx.db, { text: 'Avviso sbagliato\nTesto errato.', entities: [] });
        await outlet.publish(bulletin);
        await outlet.publish(withdrawn);
        await outlet.revoke!(String(withdrawn.bulletinId));
        const page = await phonePage(browser!);
        const blocked: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') blocked.push(message.text());
        });

        await page.goto(`${site.url}/`);
        expect(await page.locator('h1').textContent()).toBe('Bollettini del Comune di Greve in Chianti');
        expect(await page.locator('ol.elenco > li').count()).toBe(1);
        // One column that fits the phone: nothing wider than the window.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
        expect(await axeViolations(page)).toEqual([]);

        await page.getByRole('link', { name: 'Strada chiusa per lavori' }).click();
        await page.waitForURL(`**/bollettini/${bulletin.bulletinId}`);
        expect(await page.locator('h1').textContent()).toBe('Strada chiusa per lavori');
        expect(await page.getByText('Codice di autenticità:').textContent()).toContain('7f3a9c21');
        const img = page.getByRole('img', { name: /Immagine allegata/ });
        expect(await img.evaluate((el: unknown) => (el as { naturalWidth: number }).naturalWidth)).toBe(1);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
        expect(await axeViolations(page)).toEqual([]);

        await page.goto(`${site.url}/bollettini/${withdrawn.bulletinId}`);
        expect(await page.locator('h1').textContent()).toContain('ritirato');
        expect(await axeViolations(page)).toEqual([]);
        // The stylesheet and the image loaded under the page's Content-Security-Policy.
        expect(blocked.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
      } finally {
        await site.close();
      }
    },
  );
});

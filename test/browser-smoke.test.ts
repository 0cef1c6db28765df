import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { axeViolations, browserSkip, launchBrowser, phonePage } from './helpers/browser.js';

describe.skipIf(browserSkip)('the browser the page tests drive', () => {
  it('opens a page on loopback and axe-core finds a missing alt text', { timeout: 60_000 }, async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        '<!doctype html><html lang="it"><head><title>Prova</title></head><body><main><h1>Prova</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchBrowser();
    try {
      const page = await phonePage(browser);
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(await page.locator('h1').textContent()).toBe('Prova');
      const violations = await axeViolations(page);
      expect(violations.map((v) => v.id)).toContain('image-alt');
    } finally {
      await browser.close();
      server.close();
    }
  });
});

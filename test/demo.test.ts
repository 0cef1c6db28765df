import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramHtml, whatsappHtml } from '../demo/render.js';
import { axeViolations, browserSkip, launchBrowser, phonePage } from './helpers/browser.js';
import { freePort, root, testNodeFlags, tsxLoader } from './helpers/program.js';

/** `npm run demo` as its script runs it, with only the environment given. */
function startDemo(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [...testNodeFlags, '--import', tsxLoader, join(root, 'demo', 'main.ts')],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function readyUrl(demo: ReturnType<typeof startDemo>, port: number): Promise<string> {
  const deadline = Date.now() + 300_000;
  while (!demo.output().includes(`open http://localhost:${port}/demo`)) {
    if (demo.child.exitCode !== null) throw new Error(`the demo stopped:\n${demo.output()}`);
    if (Date.now() > deadline) throw new Error(`the demo was not ready:\n${demo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return `http://127.0.0.1:${port}/demo`;
}

describe('npm run demo', () => {
  it('refuses to start with real credentials in the environment, naming them', async () => {
    const demo = startDemo({
      WA_CLOUD_APP_SECRET: 'a-secret',
      WA_CLOUD_RATE_PER_SECOND: '10',
      TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRsTUVwxyZ012345',
      DATABASE_URL: 'postgres://x@db/y',
    });
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toMatch(
      /refusing to start: DATABASE_URL, TELEGRAM_BOT_TOKEN, WA_CLOUD_APP_SECRET are set/,
    );
    expect(demo.output()).not.toContain('ABCdefGhIJKlmNoPQRsTUVwxyZ012345');
  }, 60_000);

  it('renders WhatsApp markup on the phones and escapes everything else', () => {
    expect(whatsappHtml('Il *mercato* _domenica_ ~sabato~ <script>x</script>\nfine')).toBe(
      'Il <strong>mercato</strong> <em>domenica</em> <s>sabato</s> &lt;script&gt;x&lt;/script&gt;<br>fine',
    );
    expect(whatsappHtml('2*3*4 e snake_case_name')).toBe('2*3*4 e snake_case_name');
  });

  it('renders the staff group messages with their Telegram entities, escaped', () => {
    const entities = [
      { type: 'bold', offset: 0, length: 9 },
      { type: 'italic', offset: 4, length: 5 },
      { type: 'bot_command', offset: 10, length: 3 },
    ];
    expect(telegramHtml('Il <b>ora /ok', undefined, entities)).toBe(
      '<strong>Il &lt;<em>b&gt;ora</em></strong> /ok',
    );
    expect(telegramHtml('<b>Sì</b> <a href="tg://user?id=1">Anna</a>', 'HTML')).toBe('<b>Sì</b> Anna');
  });
});

describe.skipIf(browserSkip)('the demo in a browser', () => {
  let demo: ReturnType<typeof startDemo> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    demo = startDemo({ DEMO_PORT: String(port) });
    url = await readyUrl(demo, port);
    browser = await launchBrowser();
    page = await phonePage(browser);
  }, 330_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGTERM');
      await demo.exited;
    }
  }, 60_000);

  it('takes a citizen from Iscrizione to a bulletin a redattore drafted and an approvatore approved', async () => {
    await page.goto(url);
    const giulia = page.locator('#phone-0-log');
    const staff = page.locator('#staff-log');
    // The demo's amministratrice made Marco a redattore before the page was offered.
    await staff.getByText('Ruolo di 1002 impostato: redattore.').waitFor();

    await page.getByLabel('Scrivi come Giulia').fill('Iscrizione');
    await page.getByLabel('Scrivi come Giulia').press('Enter');
    await giulia.getByText(/Iscrizione fatta/).waitFor();

    await page.getByLabel('Marco, redattore').check();
    await page
      .getByLabel('Messaggio o comando')
      .fill('/bozza Domenica *12* il mercato si sposta in piazza Matteotti.');
    await page.getByRole('button', { name: 'Invia nel gruppo' }).click();
    const approve = staff.getByRole('button', { name: 'Approva' });
    await approve.waitFor();

    await page.getByLabel('Anna, amministratrice (approva)').check();
    await approve.click();

    const bulletin = giulia.locator('.msg', { hasText: 'il mercato si sposta in piazza Matteotti.' });
    await bulletin.waitFor({ timeout: 60_000 });
    expect(await bulletin.locator('strong').textContent()).toBe('12');
    await bulletin.locator('.ticks.read').waitFor({ timeout: 30_000 });
    await staff.getByText(/Bollettino n\. 1 inviato: 1 messaggio partito/).waitFor({ timeout: 60_000 });
    // Paolo never wrote Iscrizione: his phone stays empty.
    expect(await page.locator('#phone-1-log .msg').count()).toBe(0);
  }, 180_000);

  it('has no axe-core violations, on a phone and on a wide screen', async () => {
    await page.goto(url);
    await page.locator('#staff-log .msg').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const wide = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    await wide.goto(url);
    await wide.locator('#staff-log .msg').first().waitFor();
    expect(await axeViolations(wide)).toEqual([]);
  }, 60_000);
});

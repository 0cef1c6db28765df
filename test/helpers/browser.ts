import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (scripts/setup-browser.sh installs it); playwright-core downloads none. */
export const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether a browser test can run here; when not, the one line that says why. */
export const browserSkip: string | undefined = existsSync(browserPath)
  ? undefined
  : `browser tests skipped: no chromium at ${browserPath} (run scripts/setup-browser.sh as root, or set CHROMIUM_PATH)`;

// biome-ignore lint/suspicious/noConsole: the one line that says why the browser tests skip
if (browserSkip) console.warn(browserSkip);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: browserPath,
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A phone-sized page (360 x 740, touch), as most citizens and staff will see it. */
export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
  });
  return context.newPage();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
};

/** Runs axe-core in the page against WCAG 2.1 A and AA; returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated by the driver, not added as a <script>: a page's Content-Security-Policy forbids that.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact: impact ?? null,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }));
  });
}

// The /models page in Chromium against the production build (issue 18, item 1): three model
// sections, each with at least one chart drawn by recharts (an svg line with path data), a harmony
// table with Bach's column, the card's limits; reached from the landing page's link; no console
// error and no CSP violation under the server's nonce policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MODEL_NAMES } from '@/lib/ai/contract';
import { startTestServer, type TestServer } from '../helpers/server';
import { ensureNextBuild } from './support/build';
import { launchBrowser, openWatchedPage, screenshot } from './support/browser';

describe('the models page in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let cspViolations: () => Promise<string[]>;

  beforeAll(async () => {
    ensureNextBuild();
    server = await startTestServer({ next: true });
    browser = await launchBrowser();
    ({ page, errors, cspViolations } = await openWatchedPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the landing page links to /models', async () => {
    await page.goto(`${server.url}/`);
    await page
      .getByRole('link', { name: /models/i })
      .first()
      .click();
    await page.waitForURL(/\/models$/);
  });

  it('shows three model sections, each with a drawn chart, the harmony table with Bach’s column and the limits, and no errors', async () => {
    await page.waitForSelector('[data-testid=model-section]');
    const sections = page.getByTestId('model-section');
    expect(await sections.count()).toBe(3);
    expect(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-model')))).toEqual([...MODEL_NAMES]);

    for (const name of MODEL_NAMES) {
      const s = page.locator(`[data-testid=model-section][data-model=${name}]`);
      // recharts draws each series as <path class="recharts-curve recharts-line-curve" d="M…L…">.
      await s.locator('[data-testid=curve-chart] svg path.recharts-line-curve').first().waitFor({ timeout: 30_000 });
      const paths = await s.locator('[data-testid=curve-chart] svg path.recharts-line-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
      const drawn = paths.filter((d) => /^M[\d.-]/.test(d) && (d.match(/[LC]/g) ?? []).length >= 2);
      expect(drawn.length, `${name}: line paths ${paths.length}`).toBeGreaterThanOrEqual(1);

      await expect.poll(() => s.getByTestId('bach-column').count()).toBe(1);
      const bach = await s.locator('td.bach').allTextContents();
      expect(bach.length, name).toBeGreaterThanOrEqual(7);
      expect(
        bach.some((t) => /^\d/.test(t)),
        `${name}: Bach figures ${bach.join(', ')}`,
      ).toBe(true);
      // The model's own figures, or an explicit "not measured" that says why.
      const measured = (await s.getByTestId('harmony-not-measured').count()) === 0;
      if (!measured) expect(await s.getByTestId('harmony-not-measured').textContent()).toMatch(/Not measured/);

      expect(await s.getByTestId('limits').textContent()).toMatch(/limit/i);
      expect(await s.getByTestId('model-facts').textContent()).toMatch(/npm run train -- /);
    }
    await screenshot(page, 'models-page');
    expect(await cspViolations()).toEqual([]);
    expect(errors).toEqual([]);
  });
});

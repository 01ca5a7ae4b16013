// The /models page in Chromium against the production build (issue 18, item 1): three model
// sections, each with at least one chart drawn by recharts (an svg line with path data), a harmony
// table with Bach's column, the card's limits; reached from the landing page's link; no console
// error and no CSP violation under the server's nonce policy.
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES } from '@/lib/ai/contract';
import { screenshot } from './support/browser';
import { watchedPageSuite } from './support/page-suite';

describe('the models page in the browser', () => {
  const suite = watchedPageSuite();

  it('the landing page links to /models', async () => {
    await suite.page.goto(`${suite.server.url}/`);
    await suite.page
      .getByRole('link', { name: /models/i })
      .first()
      .click();
    await suite.page.waitForURL(/\/models$/);
  });

  it('shows three model sections, each with a drawn chart, the harmony table with Bach’s column and the limits, and no errors', async () => {
    await suite.page.waitForSelector('[data-testid=model-section]');
    const sections = suite.page.getByTestId('model-section');
    expect(await sections.count()).toBe(3);
    expect(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-model')))).toEqual([...MODEL_NAMES]);

    for (const name of MODEL_NAMES) {
      const s = suite.page.locator(`[data-testid=model-section][data-model=${name}]`);
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
    await screenshot(suite.page, 'models-page');
    expect(await suite.cspViolations()).toEqual([]);
    expect(suite.errors).toEqual([]);
  });
});

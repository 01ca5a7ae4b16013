// "How it works" (issue 18 item 2) in Chromium against the production build: the page runs each
// model live on a built-in melody through the server — the AR-CNN's iterations animate over its
// probability map, the GAN shows one accompaniment and critic score per seed next to Bach's, the
// transformer writes its tokens one by one and a clicked note shows what it attended to; no
// console error, no CSP violation.
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser';
import { watchedPageSuite } from './support/page-suite';

describe('how the models work, in the browser', () => {
  const suite = watchedPageSuite();

  it('the models page links to the views; the AR-CNN animates its iterations over its probability map', async () => {
    await suite.page.goto(`${suite.server.url}/models`);
    await suite.page
      .getByRole('link', { name: /how they work/i })
      .first()
      .click();
    await suite.page.waitForURL(/\/models\/how$/);
    const view = suite.page.getByTestId('arcnn-view');
    await view.waitFor({ timeout: 120_000 });
    const n = Number(await view.getAttribute('data-iterations'));
    expect(n).toBeGreaterThan(1);
    // The animation moves on by itself.
    await expect.poll(async () => Number(await view.getAttribute('data-iteration')), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await suite.page.getByTestId('arcnn-step').textContent()).toMatch(/Iteration \d+ of \d+: \d+ voice-steps masked/);
    // The canvas shows the melody plus accompaniment notes.
    expect(Number(await suite.page.getByTestId('arcnn-roll').getAttribute('data-notes'))).toBeGreaterThan(30);
  });

  it('the GAN shows each seed’s accompaniment with its critic score, next to a real chorale’s', async () => {
    await suite.page.getByTestId('tab-gan').click();
    await suite.page.getByTestId('gan-view').waitFor({ timeout: 120_000 });
    const samples = suite.page.getByTestId('gan-sample');
    expect(await samples.count()).toBe(3);
    const scores = await samples.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-critic'))));
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(Number(await suite.page.getByTestId('gan-real').getAttribute('data-critic')))).toBe(true);
    expect(await suite.page.getByTestId('gan-real').textContent()).toMatch(/Bach/);
  });

  it('the transformer writes token by token, and a clicked note shows what it attended to', async () => {
    await suite.page.getByTestId('tab-transformer').click();
    const view = suite.page.getByTestId('transformer-view');
    await view.waitFor({ timeout: 120_000 });
    const total = Number(await view.getAttribute('data-total'));
    expect(total).toBeGreaterThan(0);
    await expect.poll(async () => Number(await view.getAttribute('data-tokens')), { timeout: 30_000 }).toBe(total);
    const roll = suite.page.getByTestId('transformer-roll');
    // Click an accompaniment note in the middle of the piece.
    const boxes = await roll.evaluate((c) => (c as HTMLCanvasElement & { hitBoxes: { voice: number; start: number; x: number; y: number }[] }).hitBoxes);
    const acc = boxes.filter((b) => b.voice > 0);
    const target = acc[Math.floor(acc.length / 2)]!;
    await roll.click({ position: { x: target.x, y: target.y } });
    const summary = suite.page.getByTestId('attention-summary');
    await expect.poll(() => summary.getAttribute('data-selected')).toBe(`${target.voice}:${target.start}`);
    expect(await summary.textContent()).toMatch(/attended most to .*\d+ %/);
    await screenshot(suite.page, 'models-how');
    expect(await suite.cspViolations()).toEqual([]);
    expect(suite.errors).toEqual([]);
  });
});

// Issue 15 item 7, the editable tempo/metre lane, in Chromium with two people on one session:
// Ana adds a tempo change and a 3/4 metre change by double-clicking the ruler's lane and typing in
// its popover, then drags the tempo marker to another bar; Ben sees the markers on his ruler and the
// bar lines of his grid move (read from the canvases' pixels). Ana's undo takes each edit back for both.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PPQ } from '@/lib/score';
import { screenshot, waitFor } from './support/browser';
import { twoEditorsOnOneSession } from './support/two-editors';

const stage = twoEditorsOnOneSession('Tempo lane', ['Ana', 'Ben']);

const BAR44 = 4 * PPQ;
// Rows of the lane (app/editor/roll/tempo-lane.ts): tempo 0–12 px, metre 13–25 px of the ruler.
const TEMPO_Y = 6;
const METRE_Y = 19;
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const TEMPO_COLOR = rgb('#f0a84b');
const METRE_COLOR = rgb('#4fd1c5');
const BAR_LINE = rgb('#3a4257'); // THEME.bar
const BEAT_LINE = rgb('#272d3b'); // THEME.beat

/** Page coordinates of a tick on the ruler, `dy` px below its top. */
async function rulerPoint(page: Page, tick: number, dy: number) {
  const box = (await page.getByTestId('ruler').boundingBox())!;
  const v = await page.evaluate(() => window.__tutti!.viewport());
  return { x: box.x + (tick - v.scrollTick) * v.pxPerTick, y: box.y + dy };
}

/** Colour of a canvas pixel at a tick (x) and css y: 'ruler' or the roll's base layer (grid). */
function pixelAt(page: Page, which: 'ruler' | 'grid', tick: number, y: number, dx = 0): Promise<number[]> {
  return page.evaluate(
    ({ which, tick, y, dx }) => {
      const c = (
        which === 'ruler' ? document.querySelector('[data-testid="ruler"]') : document.querySelector('[data-testid="roll-canvas"]')!.previousElementSibling
      ) as HTMLCanvasElement;
      const v = window.__tutti!.viewport();
      const dpr = c.width / c.getBoundingClientRect().width;
      const x = Math.round((tick - v.scrollTick) * v.pxPerTick) + dx;
      return [
        ...c
          .getContext('2d')!
          .getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1)
          .data.slice(0, 3),
      ];
    },
    { which, tick, y, dx },
  );
}

const near = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]!) <= 3);

/** Waits until the pixel at `tick` has (or, with want=false, has not) the colour. */
async function waitPixel(page: Page, which: 'ruler' | 'grid', tick: number, y: number, color: number[], want = true) {
  const deadline = Date.now() + 10_000;
  const dx = which === 'ruler' ? 1 : 0; // a marker's flag is 2 px wide from its tick
  let last: number[] = [];
  while (Date.now() < deadline) {
    last = await pixelAt(page, which, tick, y, dx);
    if (near(last, color) === want) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`${which} pixel at tick ${tick}: ${last} ${want ? 'is not' : 'is still'} ${color}`);
}

const tempos = (p: Page) => p.evaluate(() => window.__tutti!.meta().tempos ?? null);
const metres = (p: Page) => p.evaluate(() => window.__tutti!.meta().timeSignatures ?? null);

describe('tempo/metre lane on the ruler, shared', () => {
  it('adds, moves and undoes tempo and metre changes for both people', async () => {
    const { A, B } = stage;
    const a = A.page;
    const b = B.page;
    const bpm = await a.evaluate(() => window.__tutti!.meta().bpm);
    // Before: 4/4 bar lines at bars 3 and 4 (ticks 3840, 5760) on Ben's grid.
    await waitPixel(b, 'grid', 3 * BAR44, 120, BAR_LINE);
    expect(near(await pixelAt(b, 'grid', 3 * BAR44 - 3 * PPQ, 120), BAR_LINE)).toBe(false);

    // Ana: double-click the tempo row inside bar 2, type 60 BPM.
    let p = await rulerPoint(a, BAR44 + PPQ, TEMPO_Y);
    await a.mouse.dblclick(p.x, p.y);
    await a.getByTestId('lane-bpm').fill('60');
    await a.getByTestId('lane-apply').click();
    await waitFor(a, () => window.__tutti!.meta().tempos?.length === 2, null);
    expect(await tempos(a)).toEqual([
      { tick: 0, bpm },
      { tick: BAR44, bpm: 60 },
    ]);

    // Ana: double-click the metre row inside bar 3, 3/4 (Enter applies).
    p = await rulerPoint(a, 2 * BAR44 + 2 * PPQ, METRE_Y);
    await a.mouse.dblclick(p.x, p.y);
    await a.getByTestId('lane-numerator').fill('3');
    await a.getByTestId('lane-denominator').selectOption('4');
    await a.getByTestId('lane-numerator').press('Enter');
    await expect
      .poll(() => metres(a))
      .toEqual([
        { tick: 0, numerator: 4, denominator: 4 },
        { tick: 2 * BAR44, numerator: 3, denominator: 4 },
      ]);
    expect(await a.getByTestId('tempo-lane-popover').count()).toBe(0);

    // Ben: both markers on his ruler, and his bar 4 now starts one beat earlier (3/4 from bar 3).
    await waitFor(b, () => window.__tutti!.meta().tempos?.length === 2 && window.__tutti!.meta().timeSignatures?.length === 2, null);
    await waitPixel(b, 'ruler', BAR44, TEMPO_Y, TEMPO_COLOR);
    await waitPixel(b, 'ruler', 2 * BAR44, METRE_Y, METRE_COLOR);
    const bar4 = 2 * BAR44 + 3 * PPQ;
    await waitPixel(b, 'grid', bar4, 120, BAR_LINE);
    expect(near(await pixelAt(b, 'grid', 3 * BAR44, 120), BEAT_LINE)).toBe(true);
    await screenshot(b, 'tempo-lane-ben');

    // Ana: the first metre can be edited but has no Delete.
    p = await rulerPoint(a, 0, METRE_Y);
    await a.mouse.click(p.x + 8, p.y);
    await expect.poll(() => a.getByTestId('tempo-lane-popover').count()).toBe(1);
    expect(await a.getByTestId('lane-delete').count()).toBe(0);
    await a.keyboard.press('Escape');
    await expect.poll(() => a.getByTestId('tempo-lane-popover').count()).toBe(0);

    // Ana drags the tempo marker from bar 2 to bar 4 (which starts at beat 11 under the 3/4).
    const from = await rulerPoint(a, BAR44, TEMPO_Y);
    const to = await rulerPoint(a, bar4 + 40, TEMPO_Y);
    await a.mouse.move(from.x + 1, from.y);
    await a.mouse.down();
    await a.mouse.move((from.x + to.x) / 2, to.y, { steps: 4 });
    await a.mouse.move(to.x, to.y, { steps: 4 });
    await a.mouse.up();
    await waitFor(
      b,
      ([t, bpm]) =>
        JSON.stringify(window.__tutti!.meta().tempos) ===
        JSON.stringify([
          { tick: 0, bpm },
          { tick: t, bpm: 60 },
        ]),
      [bar4, bpm],
    );
    await waitPixel(b, 'ruler', bar4, TEMPO_Y, TEMPO_COLOR);
    await waitPixel(b, 'ruler', BAR44, TEMPO_Y, TEMPO_COLOR, false);

    // Ana's undo: the move, then the metre change (Ben's bar 4 line goes back), then the tempo change.
    await a.keyboard.press('Control+z');
    await waitFor(b, (t) => window.__tutti!.meta().tempos?.[1]?.tick === t, BAR44);
    await a.keyboard.press('Control+z');
    await waitFor(b, () => !window.__tutti!.meta().timeSignatures, null);
    await waitPixel(b, 'grid', 3 * BAR44, 120, BAR_LINE);
    await waitPixel(b, 'grid', bar4, 120, BAR_LINE, false);
    await waitPixel(b, 'ruler', 2 * BAR44, METRE_Y, METRE_COLOR, false);
    await a.keyboard.press('Control+z');
    await waitFor(b, () => !window.__tutti!.meta().tempos, null);
    await waitPixel(b, 'ruler', BAR44, TEMPO_Y, TEMPO_COLOR, false);
    expect(await tempos(a)).toBeNull();
    expect(await b.evaluate(() => window.__tutti!.meta().bpm)).toBe(bpm);
  });
});

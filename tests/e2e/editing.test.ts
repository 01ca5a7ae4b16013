// One editor in Chromium: the editing vocabulary a musician expects (keyboard transpose, nudge,
// copy/paste/duplicate, box select, quantise, velocity, delete, resize), the tracks panel, the
// transport actually running through Tone.js, the shortcut overlay and the share button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createSession, sessionTokens, startTestServer, type TestServer } from '../helpers/server';
import { ensureNextBuild } from './support/build';
import { clickRoll, dragRoll, launchBrowser, notes, openEditor, rollPoint, screenshot, waitFor, type EditorPage } from './support/browser';

let server: TestServer;
let browser: Browser;
let E: EditorPage;
let page: Page;

beforeAll(async () => {
  ensureNextBuild();
  server = await startTestServer({ next: true });
  browser = await launchBrowser();
  E = await openEditor(browser, server.url, await createSession(server.url, 'E2E editing'), 'Editor');
  page = E.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const sel = (): Promise<string[]> => page.evaluate(() => window.__tutti!.selection());
const byId = async (id: string) => (await notes(page)).find((n) => n.id === id)!;

describe('editing in the piano roll', () => {
  it('draws by drag with the length following the pointer, then transposes and nudges with keys', async () => {
    await dragRoll(page, [0, 60], [420, 60]);
    await waitFor(page, () => window.__tutti!.noteCount() === 1, null);
    const [n] = await notes(page);
    expect(n).toMatchObject({ pitch: 60, start: 0, duration: 480 });
    expect(await sel()).toEqual([n!.id]);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('ArrowRight');
    await waitFor(page, (id) => window.__tutti!.note(id)?.pitch === 73, n!.id);
    expect(await byId(n!.id)).toMatchObject({ pitch: 73, start: 120 });
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('ArrowLeft');
    await waitFor(page, (id) => window.__tutti!.note(id)?.pitch === 61 && window.__tutti!.note(id)?.start === 0, n!.id);
  });

  it('resizes a note by dragging its right edge', async () => {
    const [n] = await notes(page);
    const end = await rollPoint(page, n!.start + n!.duration, n!.pitch);
    await page.mouse.move(end.x - 6, end.y);
    await page.mouse.down();
    await page.mouse.move(end.x + 60, end.y, { steps: 4 });
    await page.mouse.up();
    await waitFor(page, ([id, d]) => (window.__tutti!.note(id)?.duration ?? 0) > d, [n!.id, n!.duration] as const);
    expect((await byId(n!.id)).duration % 120).toBe(0);
  });

  it('copies, pastes at the playhead, duplicates and deletes', async () => {
    const [n] = await notes(page);
    await page.keyboard.press('Control+c');
    // Place the playhead at bar 3 by clicking the ruler.
    const ruler = (await page.getByTestId('ruler').boundingBox())!;
    const v = await page.evaluate(() => window.__tutti!.viewport());
    await page.mouse.click(ruler.x + (2 * 1920 - v.scrollTick) * v.pxPerTick + 2, ruler.y + 12);
    expect(await page.evaluate(() => window.__tutti!.playheadTick())).toBe(3840);
    await page.keyboard.press('Control+v');
    await waitFor(page, () => window.__tutti!.noteCount() === 2, null);
    const pasted = (await notes(page)).find((x) => x.id !== n!.id)!;
    expect(pasted).toMatchObject({ pitch: n!.pitch, start: 3840, duration: n!.duration });
    expect(await sel()).toEqual([pasted.id]);
    await page.keyboard.press('Control+d');
    await waitFor(page, () => window.__tutti!.noteCount() === 3, null);
    const dup = (await notes(page)).find((x) => x.id !== n!.id && x.id !== pasted.id)!;
    expect(dup.start).toBeGreaterThanOrEqual(pasted.start + pasted.duration);
    await page.keyboard.press('Delete');
    await waitFor(page, () => window.__tutti!.noteCount() === 2, null);
  });

  it('box-selects with the select tool, sets velocity, and quantises off-grid notes', async () => {
    await page.getByTestId('snap').selectOption('off');
    await clickRoll(page, 1000, 64);
    await waitFor(page, () => window.__tutti!.noteCount() === 3, null);
    const off = (await notes(page)).find((x) => x.pitch === 64)!;
    expect(off.start % 120).not.toBe(0);
    await page.getByTestId('snap').selectOption('1/16');
    await page.getByTestId('tool-select').click();
    await dragRoll(page, [-0, 66], [4700, 58]);
    await expect.poll(async () => (await sel()).length).toBe(3);
    await page.getByTestId('velocity-input').fill('42');
    await waitFor(page, () => window.__tutti!.notes().every((x: any) => x.velocity === 42), null);
    await page.getByTestId('quantise').click();
    await waitFor(page, (id) => (window.__tutti!.note(id)?.start ?? Number.NaN) % 120 === 0, off.id);
    await page.getByTestId('tool-draw').click();
    await screenshot(page, 'editing-1-selection');
  });

  it('undo and redo walk back through the edits', async () => {
    const before = await notes(page);
    await page.keyboard.press('Control+z'); // undo quantise
    await waitFor(page, (id) => (window.__tutti!.note(id)?.start ?? Number.NaN) % 120 !== 0, before.find((x) => x.pitch === 64)!.id);
    await page.keyboard.press('Control+Shift+z');
    await waitFor(page, (id) => (window.__tutti!.note(id)?.start ?? Number.NaN) % 120 === 0, before.find((x) => x.pitch === 64)!.id);
  });

  it('manages tracks: add, rename, instrument, mute, solo, reorder, delete', async () => {
    await page.getByTestId('add-track').click();
    await expect.poll(() => page.getByTestId('track').count()).toBe(2);
    const second = page.getByTestId('track').nth(1);
    await second.getByTestId('track-name').dblclick();
    await second.getByTestId('track-name').fill('Strings');
    await second.getByTestId('track-name').press('Enter');
    await second.getByTestId('track-instrument').selectOption('strings');
    await second.getByTestId('track-role').selectOption('accompaniment');
    await second.getByTestId('track-mute').click();
    await second.getByTestId('track-solo').click();
    await page.waitForFunction(() => window.__tutti!.tracks().some((t: any) => t.name === 'Strings' && t.instrument === 'strings' && t.muted && t.solo && t.role === 'accompaniment'));
    await second.getByTestId('track-up').click();
    await page.waitForFunction(() => window.__tutti!.tracks()[0].name === 'Strings');
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('track').first().getByTestId('track-delete').click();
    await expect.poll(() => page.getByTestId('track').count()).toBe(1);
  });

  it('plays through the Tone.js transport and stops', async () => {
    await page.getByTestId('bpm').fill('180');
    await page.waitForFunction(() => window.__tutti!.meta().bpm === 180);
    await page.getByTestId('metronome').click();
    await page.getByTestId('play').click();
    await page.waitForFunction(() => window.__tutti!.transport().playing && window.__tutti!.transport().ticks > 480, null, { timeout: 10_000 });
    await page.keyboard.press(' ');
    await page.waitForFunction(() => !window.__tutti!.transport().playing);
    expect(await page.evaluate(() => window.__tutti!.playheadTick())).toBeGreaterThan(0);
  });

  it('shows the shortcut overlay on ? and the share links', async () => {
    await page.mouse.click(5, 500); // focus the page, not an input
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-overlay').waitFor();
    await screenshot(page, 'editing-2-shortcuts');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-overlay').waitFor({ state: 'detached' });
    await E.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const id = await page.evaluate(() => window.__tutti!.sessionId);
    const links = sessionTokens.get(id)!;
    await page.getByTestId('share').click();
    await page.getByTestId('copy-edit-link').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(links.editUrl);
    await page.getByTestId('copy-view-link').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(links.viewUrl);
    // This page holds only the edit link (not the owner token): no rotate or delete here.
    expect(await page.getByTestId('rotate-edit-link').count()).toBe(0);
  });
});

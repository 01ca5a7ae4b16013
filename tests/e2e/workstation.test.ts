// Issue 15 in Chromium: the sampled piano is served by our own server and loads; WAV export renders
// the session offline and downloads a real WAV (decoded here: rate, length, sound at the notes'
// times, silence when muted); a (fake, injected) MIDI keyboard plays live, shows its keys to others
// and records a take as one undoable transaction; clicking a track name never traps the keyboard;
// the tab title follows the session title; favicon, no console errors; key-aware names.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { decodeWav, rms } from '@/lib/audio/wav';
import { pianoSampleFiles } from '@/lib/audio/piano-samples';
import { ensureNextBuild } from './support/build';
import { clickRoll, launchBrowser, notes, openEditor, rollPoint, screenshot, waitFor, type EditorPage } from './support/browser';

// A Web MIDI input the test plays: window.__fakeMidi.send([status, pitch, velocity]).
const FAKE_MIDI = `(() => {
  const input = { id: 'fake-1', name: 'Fake Keys', manufacturer: 'Tutti', state: 'connected', type: 'input', onmidimessage: null };
  const access = { inputs: new Map([[input.id, input]]), outputs: new Map(), sysexEnabled: false, onstatechange: null };
  navigator.requestMIDIAccess = () => Promise.resolve(access);
  window.__fakeMidi = { send: (bytes) => input.onmidimessage && input.onmidimessage({ data: new Uint8Array(bytes) }) };
})()`;

let server: TestServer;
let browser: Browser;
let E: EditorPage;
let page: Page;
const requests: string[] = [];
const failed: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  ensureNextBuild();
  server = await startTestServer({ next: true });
  browser = await launchBrowser();
  const id = await createSession(server.url, 'Night Song');
  E = await openEditor(browser, server.url, id, 'Player', { initScripts: [FAKE_MIDI] });
  page = E.page;
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  // Reload so the first load itself is observed (openEditor loaded the page before we listened).
  await page.reload();
  await page.waitForFunction(() => window.__tutti?.connection() === 'online' && window.__tutti!.synced());
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const pianoState = () => page.evaluate(() => window.__tutti!.pianoSamples());

describe('a workstation musicians expect', () => {
  it('loads with a favicon, a manifest and no console errors or failed requests', async () => {
    const icon = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href'));
    expect(icon).toMatch(/icon\.svg/);
    const res = await page.request.get(new URL(icon!, server.url).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/svg/);
    expect((await page.request.get(`${server.url}/manifest.webmanifest`)).status()).toBe(200);
    expect(failed).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('the tab title follows the session title', async () => {
    await page.waitForFunction(() => document.title === 'Night Song — Tutti');
    await page.getByTestId('session-title').fill('Morning Song');
    await page.getByTestId('session-title').press('Enter');
    await page.waitForFunction(() => document.title === 'Morning Song — Tutti');
    expect(await page.evaluate(() => window.__tutti!.meta().title)).toBe('Morning Song');
  });

  it('loads the sampled grand piano from our own server, all velocity layers, with progress', async () => {
    // The first note creates a piano track, which starts the sample download.
    await clickRoll(page, 0, 60);
    await waitFor(page, () => window.__tutti!.noteCount() === 1, null);
    expect((await page.evaluate(() => window.__tutti!.tracks()))[0].instrument).toBe('piano');
    await page.waitForFunction(() => window.__tutti!.pianoSamples().ready, null, { timeout: 60_000 });
    const st = await pianoState();
    expect(st).toMatchObject({ ready: true, error: null, loaded: pianoSampleFiles().length, total: pianoSampleFiles().length });
    expect(await page.getByTestId('piano-samples').getAttribute('data-state')).toBe('ready');
    const origin = new URL(server.url).origin;
    const sampleReqs = requests.filter((u) => u.includes('/samples/piano/'));
    for (const f of pianoSampleFiles()) expect(sampleReqs).toContain(`${origin}${f.url}`);
    for (const layer of ['v4', 'v10', 'v16']) expect(sampleReqs.some((u) => u.includes(`/${layer}/`))).toBe(true);
    // Nothing is fetched from anywhere but our origin (no CDN).
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
    const notice = await page.request.get(`${server.url}/samples/piano/NOTICE.txt`);
    expect(await notice.text()).toMatch(/Salamander Grand Piano V3 by Alexander Holm, CC BY 3\.0/);
  });

  it('exports the whole session as WAV: right rate and length, sound at the notes, silence between', async () => {
    await clickRoll(page, 1920, 64); // bar 2: 2.4 s at 100 BPM
    await waitFor(page, () => window.__tutti!.noteCount() === 2, null);
    await page.evaluate(() => {
      (window as any).__sawProgress = false;
      new MutationObserver(() => document.querySelector('[data-testid="wav-progress"]') && ((window as any).__sawProgress = true)).observe(document.body, { subtree: true, childList: true });
    });
    const wav = await exportWav(page, 'export-wav-session');
    expect(await page.evaluate(() => (window as any).__sawProgress)).toBe(true);
    expect(wav.name).toBe('Morning Song.wav');
    expect(wav.sampleRate).toBe(44100);
    expect(wav.channels).toHaveLength(2);
    // Notes end at tick 2040 (2.55 s) plus the 2 s release tail.
    expect(wav.duration).toBeCloseTo(2.55 + 2, 2);
    const first = rms(wav, 0, 0.2);
    const second = rms(wav, 2.4, 2.6);
    const before = rms(wav, 2.2, 2.39);
    expect(first).toBeGreaterThan(0.005);
    expect(second).toBeGreaterThan(0.005);
    expect(second).toBeGreaterThan(before * 3);
    expect(rms(wav, 4.4, 4.55)).toBeLessThan(second / 10);
  });

  it('exports the loop range exactly, and a muted track renders silent', async () => {
    await page.getByTestId('loop-start').fill('2');
    await page.getByTestId('loop-end').fill('3');
    const loop = await exportWav(page, 'export-wav-loop');
    expect(loop.duration).toBeCloseTo(2.4, 2); // one 4/4 bar at 100 BPM
    expect(rms(loop, 0, 0.2)).toBeGreaterThan(0.005); // the bar-2 note, at the start of the range
    await page.getByTestId('track-mute').first().click();
    await page.waitForFunction(() => window.__tutti!.tracks()[0].muted);
    const muted = await exportWav(page, 'export-wav-session');
    expect(Math.max(rms(muted, 0, 0.3), rms(muted, 2.4, 2.7))).toBeLessThan(1e-4);
    await page.getByTestId('track-mute').first().click();
    await page.waitForFunction(() => !window.__tutti!.tracks()[0].muted);
  });

  it('plays the velocity layer each note’s velocity selects', async () => {
    const [first] = (await notes(page)).sort((a, b) => a.start - b.start);
    const layerPlays = async (velocity: number) => {
      await clickRoll(page, first!.start + 10, first!.pitch);
      await page.waitForFunction((id) => window.__tutti!.selection().join() === id, first!.id);
      await page.getByTestId('velocity-input').fill(String(velocity));
      await page.waitForFunction(([id, v]) => window.__tutti!.note(id)?.velocity === v, [first!.id, velocity] as const);
      const before = (await pianoState()).plays;
      await exportWav(page, 'export-wav-loop'); // bars 2–3: only the second note (velocity 100)
      await exportWav(page, 'export-wav-session');
      const after = (await pianoState()).plays;
      return Object.fromEntries(['4', '10', '16'].map((l) => [l, (after[l] ?? 0) - (before[l] ?? 0)]));
    };
    // Session export: the first note in its layer, the second (velocity 100) in layer 10, twice.
    expect(await layerPlays(30)).toEqual({ '4': 1, '10': 2, '16': 0 });
    expect(await layerPlays(120)).toEqual({ '4': 0, '10': 2, '16': 1 });
    expect(await layerPlays(100)).toEqual({ '4': 0, '10': 3, '16': 0 });
  });

  it('a long export is rendered in segments that add up exactly (a note 10.2 s in)', async () => {
    await clickRoll(page, 480, 67);
    await waitFor(page, () => window.__tutti!.noteCount() === 3, null);
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
    const id = (await page.evaluate(() => window.__tutti!.selection()))[0];
    await page.waitForFunction((id) => window.__tutti!.note(id)?.start === 8160, id);
    const wav = await exportWav(page, 'export-wav-session');
    expect(wav.duration).toBeCloseTo((8160 + 120) * 0.00125 + 2, 2); // 10.35 s + tail
    expect(rms(wav, 10.2, 10.4)).toBeGreaterThan(0.005);
    expect(rms(wav, 10.2, 10.4)).toBeGreaterThan(rms(wav, 9.6, 10.15) * 3);
    expect(rms(wav, 2.4, 2.6)).toBeGreaterThan(0.005);
    await page.keyboard.press('Delete');
    await waitFor(page, () => window.__tutti!.noteCount() === 2, null);
  });

  it('clicking a track name selects the track; Space plays and −/+ zoom instead of typing', async () => {
    await page.getByTestId('add-track').click();
    await expect.poll(() => page.getByTestId('track').count()).toBe(2);
    const second = page.getByTestId('track').nth(1);
    const name = (await second.getByTestId('track-name').textContent())!;
    await second.getByTestId('track-name').click();
    const trackId = await second.getAttribute('data-track-id');
    await page.waitForFunction((id) => window.__tutti!.activeTrackId() === id, trackId);
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('INPUT');
    const zoom = (await page.evaluate(() => window.__tutti!.viewport())).pxPerTick;
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.__tutti!.transport().playing);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await page.keyboard.press('+');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !window.__tutti!.transport().playing);
    expect((await page.evaluate(() => window.__tutti!.viewport())).pxPerTick).toBeCloseTo(zoom * 0.8, 5);
    expect((await page.evaluate(() => window.__tutti!.tracks())).map((t: any) => t.name)).toContain(name);
    // Renaming takes a double-click; Escape leaves the field without renaming.
    await second.getByTestId('track-name').dblclick();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Track name');
    await page.keyboard.type('zzz');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.tagName !== 'INPUT');
    expect((await page.evaluate(() => window.__tutti!.tracks()))[1].name).toBe(name);
    await second.getByTestId('track-name').dblclick();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('Lead');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__tutti!.tracks()[1].name === 'Lead');
    // Enter on a focused track (keyboard users) also renames.
    await second.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Track name');
    await page.keyboard.press('Escape');
  });

  it('plays, shows and records a MIDI keyboard into the selected track as one undoable take', async () => {
    const B = await openEditor(browser, server.url, (await page.evaluate(() => window.__tutti!.sessionId)) as string, 'Listener');
    try {
      await page.getByTestId('midi-connect').click();
      await page.waitForFunction(() => window.__tutti!.midi().status === 'ready');
      expect(await page.getByTestId('midi-device').locator('option').allTextContents()).toEqual(['Tutti Fake Keys']);
      // Live: the held key reaches the other participant through presence.
      await page.evaluate(() => (window as any).__fakeMidi.send([0x90, 67, 100]));
      await B.page.waitForFunction(() => window.__tutti!.peers().some((p: any) => p.name === 'Player' && p.keys.includes(67)));
      await page.evaluate(() => (window as any).__fakeMidi.send([0x80, 67, 0]));
      await B.page.waitForFunction(() => window.__tutti!.peers().some((p: any) => p.name === 'Player' && p.keys.length === 0));
      expect(await page.evaluate(() => window.__tutti!.noteCount())).toBe(2); // playing live writes nothing

      // Record into the selected (second) track from bar 2, grid 1/8.
      const trackId = await page.evaluate(() => window.__tutti!.activeTrackId());
      await page.getByTestId('snap').selectOption('1/8');
      const ruler = (await page.getByTestId('ruler').boundingBox())!;
      const v = await page.evaluate(() => window.__tutti!.viewport());
      await page.mouse.click(ruler.x + (1920 - v.scrollTick) * v.pxPerTick + 2, ruler.y + 12);
      expect(await page.evaluate(() => window.__tutti!.playheadTick())).toBe(1920);
      const undoBefore = await page.evaluate(() => window.__tutti!.undoDepth());
      await page.getByTestId('record').click();
      expect(await page.getByTestId('record').getAttribute('data-state')).toBe('count-in');
      await page.waitForFunction(() => window.__tutti!.midi().recording === 'on', null, { timeout: 15_000 });
      await page.evaluate(() => (window as any).__fakeMidi.send([0x90, 72, 90]));
      await page.waitForTimeout(400);
      await page.evaluate(() => (window as any).__fakeMidi.send([0x80, 72, 0]));
      await page.evaluate(() => (window as any).__fakeMidi.send([0x90, 76, 40]));
      await page.waitForTimeout(300);
      await page.keyboard.press('Space'); // stop while 76 is still held: it ends at the stop
      await waitFor(page, () => window.__tutti!.noteCount() === 4, null);
      expect(await page.evaluate(() => window.__tutti!.midi().recording)).toBe('off');
      const take = (await notes(page)).filter((n) => n.pitch === 72 || n.pitch === 76).sort((a, b) => a.pitch - b.pitch);
      expect(take.map((n) => [n.pitch, n.velocity, n.trackId])).toEqual([[72, 90, trackId], [76, 40, trackId]]);
      for (const n of take) {
        expect(n.start % 240).toBe(0);
        expect(n.duration % 240).toBe(0);
        expect(n.start).toBeGreaterThanOrEqual(1920);
      }
      expect(take[1]!.start).toBeGreaterThanOrEqual(take[0]!.start);
      await page.evaluate(() => (window as any).__fakeMidi.send([0x80, 76, 0]));
      // One undo removes the whole take.
      expect(await page.evaluate(() => window.__tutti!.undoDepth())).toBe(undoBefore + 1);
      await page.keyboard.press('Control+z');
      await waitFor(page, () => window.__tutti!.noteCount() === 2, null);
      await B.page.waitForFunction(() => window.__tutti!.noteCount() === 2);
    } finally {
      await B.context.close();
    }
  });

  it('names notes in the session key and draws black keys from the outer edge', async () => {
    await page.getByTestId('key').selectOption('Eb major');
    await page.waitForFunction(() => window.__tutti!.meta().key === 'Eb major');
    // A black-key row (C#4 = 61) of the keyboard strip: dark at the outer (left) edge, white next to the grid.
    const px = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="keyboard"]') as HTMLCanvasElement;
      const v = window.__tutti!.viewport();
      const dpr = c.width / c.getBoundingClientRect().width;
      const y = Math.round(((127 - 61) * v.rowHeight - v.scrollY + v.rowHeight / 2) * dpr);
      const at = (x: number) => [...c.getContext('2d')!.getImageData(Math.round(x * dpr), y, 1, 1).data.slice(0, 3)];
      return { outer: at(4), inner: at(c.getBoundingClientRect().width - 6) };
    });
    expect(Math.max(...px.outer)).toBeLessThan(80);
    expect(Math.min(...px.inner)).toBeGreaterThan(180);
  });
});

async function exportWav(page: Page, which: 'export-wav-session' | 'export-wav-loop') {
  await page.getByTestId('export-wav').click();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId(which).click()]);
  const file = await download.path();
  const wav = decodeWav(new Uint8Array(fs.readFileSync(file!)));
  return { ...wav, name: download.suggestedFilename() };
}

/** Touch gestures through Chromium's touch emulation (CDP), on a page whose roll holds one note. */
async function touchGestures(p: Page) {
  const cdp = await p.context().newCDPSession(p);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', pts: [number, number][]) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pts.map(([x, y], id) => ({ x, y, id })) });
  const sel = () => p.evaluate(() => window.__tutti!.selection() as string[]);
  const view = () => p.evaluate(() => window.__tutti!.viewport());
  const [a] = await notes(p);
  // Drag the note up two semitones with one finger.
  const from = await rollPoint(p, a!.start + 20, a!.pitch);
  const rh = (await view()).rowHeight;
  await touch('touchStart', [[from.x, from.y]]);
  for (let i = 1; i <= 4; i++) await touch('touchMove', [[from.x, from.y - (i * 2 * rh) / 4]]);
  await touch('touchEnd', []);
  await p.waitForFunction((id) => window.__tutti!.note(id)?.pitch === 66, a!.id);
  // Resize it by dragging its right edge.
  const end = await rollPoint(p, a!.start + a!.duration, 66);
  await touch('touchStart', [[end.x - 5, end.y]]);
  for (let i = 1; i <= 4; i++) await touch('touchMove', [[end.x - 5 + i * 15, end.y]]);
  await touch('touchEnd', []);
  await p.waitForFunction(([id, d]) => (window.__tutti!.note(id)?.duration ?? 0) > d, [a!.id, a!.duration] as const);
  // A second note by tap (it becomes the selection), then tap the first: only it is selected.
  const b = await rollPoint(p, a!.start + 960, 60);
  await p.touchscreen.tap(b.x, b.y);
  await p.waitForFunction(() => window.__tutti!.noteCount() === 2);
  const second = (await notes(p)).find((n) => n.id !== a!.id)!;
  const onA = await rollPoint(p, a!.start + 20, 66);
  await p.touchscreen.tap(onA.x, onA.y);
  await p.waitForFunction((id) => JSON.stringify(window.__tutti!.selection()) === JSON.stringify([id]), a!.id);
  // Long-press the second note: added to the selection (a tap would have replaced it).
  const onB = await rollPoint(p, second.start + 20, second.pitch);
  await touch('touchStart', [[onB.x, onB.y]]);
  await p.waitForTimeout(800);
  await touch('touchEnd', []);
  expect((await sel()).sort()).toEqual([a!.id, second.id].sort());
  expect((await notes(p)).find((n) => n.id === second.id)).toMatchObject({ start: second.start, pitch: second.pitch });
  // Pinch out: time zooms in, and nothing is drawn by the fingers.
  const box = (await p.getByTestId('roll-canvas').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height * 0.75;
  const before = await view();
  await touch('touchStart', [[cx - 30, cy]]);
  await touch('touchStart', [[cx - 30, cy], [cx + 30, cy]]);
  for (let i = 1; i <= 5; i++) await touch('touchMove', [[cx - 30 - i * 12, cy], [cx + 30 + i * 12, cy]]);
  await touch('touchEnd', []);
  const zoomed = await view();
  expect(zoomed.pxPerTick).toBeGreaterThan(before.pxPerTick * 1.5);
  // Two-finger pan: both fingers move left and up, the view scrolls right and down.
  await touch('touchStart', [[cx - 30, cy]]);
  await touch('touchStart', [[cx - 30, cy], [cx + 30, cy]]);
  for (let i = 1; i <= 5; i++) await touch('touchMove', [[cx - 30 - i * 16, cy - i * 8], [cx + 30 - i * 16, cy - i * 8]]);
  await touch('touchEnd', []);
  const panned = await view();
  expect(panned.scrollTick).toBeGreaterThan(zoomed.scrollTick + 40 / zoomed.pxPerTick);
  expect(panned.scrollY).toBeGreaterThan(zoomed.scrollY + 20);
  expect(panned.pxPerTick).toBeCloseTo(zoomed.pxPerTick, 5);
  expect(await p.evaluate(() => window.__tutti!.noteCount())).toBe(2);
  await cdp.detach();
}

describe('phone and tablet', () => {
  for (const [w, h] of [[390, 844], [768, 1024]] as const) {
    it(`at ${w}×${h} the roll takes the width, the panels open as drawers and the transport is reachable`, async () => {
      const P = await openEditor(browser, server.url, await createSession(server.url, `Phone ${w}`), 'Phone', { context: { viewport: { width: w, height: h }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } });
      try {
        const p = P.page;
        const roll = (await p.getByTestId('roll-canvas').boundingBox())!;
        expect(roll.width).toBeGreaterThan(w - 100);
        const play = (await p.getByTestId('play').boundingBox())!;
        expect(play.x).toBeGreaterThanOrEqual(0);
        expect(play.x + play.width).toBeLessThanOrEqual(w);
        const inView = async (sel: string) => {
          const b = (await p.getByTestId(sel).boundingBox())!;
          return b.x >= -1 && b.x + b.width <= w + 1 && b.width > 100;
        };
        expect(await inView('tracks-panel')).toBe(false);
        await p.getByTestId('tab-tracks').tap();
        await expect.poll(() => inView('tracks-panel')).toBe(true);
        await screenshot(p, `workstation-${w}x${h}-tracks`);
        await p.getByTestId('tab-tracks').tap();
        await expect.poll(() => inView('tracks-panel')).toBe(false);
        await p.getByTestId('tab-ai').tap();
        await expect.poll(() => inView('ai-slot')).toBe(true);
        await screenshot(p, `workstation-${w}x${h}-ai`);
        await p.getByTestId('tab-people').tap();
        await expect.poll(() => inView('participants')).toBe(true);
        await p.getByTestId('drawer-scrim').tap({ position: { x: 5, y: 5 } });
        await expect.poll(() => inView('participants')).toBe(false);
        // Tap on the roll draws a note; the play button works by touch.
        const v = await p.evaluate(() => window.__tutti!.viewport());
        await p.touchscreen.tap(roll.x + 40, roll.y + (127 - 64) * v.rowHeight - v.scrollY + v.rowHeight / 2);
        await p.waitForFunction(() => window.__tutti!.noteCount() === 1);
        await p.getByTestId('play').tap();
        await p.waitForFunction(() => window.__tutti!.transport().playing);
        await p.getByTestId('play').tap();
        await p.waitForFunction(() => !window.__tutti!.transport().playing);
        await touchGestures(p);
        await screenshot(p, `workstation-${w}x${h}`);
      } finally {
        await P.context.close();
      }
    });
  }

  it('from 1280 px up the toolbar is one row', async () => {
    for (const width of [1280, 1440]) {
      const D = await openEditor(browser, server.url, await createSession(server.url, 'Wide'), 'Wide', { context: { viewport: { width, height: 800 } } });
      try {
        // One row: every item's vertical extent overlaps every other's (wrapped items sit below).
        const boxes = await D.page.evaluate(() => [...document.querySelectorAll('.tt-toolbar > *')].map((e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }));
        expect(Math.max(...boxes.map((b) => b[0]!)), `toolbar items at ${width}px: ${JSON.stringify(boxes)}`).toBeLessThan(Math.min(...boxes.map((b) => b[1]!)));
        const overflow = await D.page.evaluate(() => { const t = document.querySelector('.tt-toolbar')!; return t.scrollWidth - t.clientWidth; });
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(D.page, `workstation-toolbar-${width}`);
      } finally {
        await D.context.close();
      }
    }
  });
});

// MIDI in and out through the real UI: importing fixtures (multi-track, format 0) gives the right
// notes, tempo and time signature for everyone; a broken file is refused with a clear message and
// changes nothing; export → re-import round-trips.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { midiToScore } from '@/lib/midi';
import { createSession } from '../helpers/server';
import { twoEditorsOnOneSession } from './support/two-editors';
import { noteCount, openEditor, screenshot, waitFor, type EditorPage } from './support/browser';

const FIX = path.resolve(import.meta.dirname, '../fixtures/midi');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'expected.json'), 'utf8'));
const stage = twoEditorsOnOneSession('E2E midi', ['Importer', 'Listener']);
let A: EditorPage;
let B: EditorPage;
beforeAll(() => void ({ A, B } = stage));

const comparable = (s: { tracks: { id: string; name: string }[]; notes: { trackId: string; pitch: number; start: number; duration: number; velocity: number }[] }) => {
  const names = new Map(s.tracks.map((t) => [t.id, t.name]));
  return s.notes.map((n) => `${names.get(n.trackId)}|${n.pitch}|${n.start}|${n.duration}|${n.velocity}`).sort();
};

describe('MIDI import and export in the editor', () => {
  it('refuses a non-MIDI file with a clear message and leaves the session untouched', async () => {
    const before = await noteCount(A.page);
    const tracksBefore = await A.page.evaluate(() => window.__tutti!.tracks().length);
    await A.page.getByTestId('midi-input').setInputFiles(path.join(FIX, 'not-midi.mid'));
    const toast = A.page.getByTestId('toast');
    await toast.waitFor();
    expect(await toast.getAttribute('data-kind')).toBe('error');
    expect(await toast.textContent()).toMatch(/not a MIDI file/);
    await A.page.getByTestId('midi-input').setInputFiles(path.join(FIX, 'truncated.mid'));
    await A.page.waitForFunction(() => /damaged/.test(document.querySelector('[data-testid=toast]')?.textContent ?? ''));
    expect(await noteCount(A.page)).toBe(before);
    expect(await A.page.evaluate(() => window.__tutti!.tracks().length)).toBe(tracksBefore);
  });

  it('imports a multi-track file: note count, tracks, tempo and time signature reach both editors', async () => {
    const e = expected['multitrack.mid'];
    const tracksBefore = await A.page.getByTestId('track').count();
    await A.page.getByTestId('midi-input').setInputFiles(path.join(FIX, 'multitrack.mid'));
    await waitFor(A.page, (n) => window.__tutti!.noteCount() === n, e.notes);
    await waitFor(B.page, (n) => window.__tutti!.noteCount() === n, e.notes);
    expect(await B.page.getByTestId('note-count').getAttribute('data-count')).toBe(String(e.notes));
    const meta = await B.page.evaluate(() => window.__tutti!.meta());
    expect(meta.bpm).toBe(e.bpm);
    expect(meta.timeSignature).toEqual(e.timeSignature);
    await expect.poll(() => B.page.getByTestId('track').count()).toBe(tracksBefore + e.tracks);
    expect((await B.page.locator('[data-testid=track-instrument]').evaluateAll((els) => els.map((x) => (x as HTMLSelectElement).value))).slice(-e.tracks)).toEqual(e.instruments);
    await screenshot(A.page, 'midi-1-imported-multitrack');
  });

  it('imports a format-0 file into new tracks alongside the existing ones', async () => {
    const before = await noteCount(A.page);
    const tracksBefore = await A.page.getByTestId('track').count();
    const e = expected['format0.mid'];
    await A.page.getByTestId('midi-input').setInputFiles(path.join(FIX, 'format0.mid'));
    await waitFor(B.page, (n) => window.__tutti!.noteCount() === n, before + e.notes);
    const meta = await A.page.evaluate(() => window.__tutti!.meta());
    expect(meta.timeSignature).toEqual([3, 4]);
    expect(meta.bpm).toBe(90);
    expect(await A.page.getByTestId('track').count()).toBe(tracksBefore + e.tracks);
  });

  it('exports the session as .mid and the file re-imports to the same notes', async () => {
    const [download] = await Promise.all([A.page.waitForEvent('download'), A.page.getByTestId('export-midi').click()]);
    expect(download.suggestedFilename()).toMatch(/\.mid$/);
    const file = await download.path();
    const bytes = new Uint8Array(fs.readFileSync(file));
    const exported = midiToScore(bytes);
    const live = await A.page.evaluate(() => window.__tutti!.score());
    expect(exported.notes.length).toBe(live.notes.length);
    expect(comparable(exported)).toEqual(comparable(live));
    // Re-import through the UI into a fresh session: same notes again.
    const id2 = await createSession(stage.server.url, 'E2E re-import');
    const C = await openEditor(stage.browser, stage.server.url, id2, 'Checker');
    await C.page.getByTestId('midi-input').setInputFiles({ name: 'export.mid', mimeType: 'audio/midi', buffer: Buffer.from(bytes) });
    await waitFor(C.page, (n) => window.__tutti!.noteCount() === n, live.notes.length);
    expect(comparable(await C.page.evaluate(() => window.__tutti!.score()))).toEqual(comparable(live));
    await C.context.close();
  });

  it('imports a long file (10,000 notes)', async () => {
    const id3 = await createSession(stage.server.url, 'E2E long');
    const D = await openEditor(stage.browser, stage.server.url, id3, 'Long');
    await D.page.getByTestId('midi-input').setInputFiles(path.join(FIX, 'long.mid'));
    await waitFor(D.page, () => window.__tutti!.noteCount() === 10_000, null, 30_000);
    await waitFor(D.page, () => window.__tutti!.lastPaint()!.notesDrawn > 0, null);
    await screenshot(D.page, 'midi-2-long-file');
    await D.context.close();
  });
});

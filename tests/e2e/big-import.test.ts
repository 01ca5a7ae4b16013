// A big MIDI import through the real UI arrives whole in another participant's editor. One
// transaction of that size would exceed the server's message limit and be resent forever; the
// editor writes it in batches, shows progress, and the batches form one undo step. The server runs
// with a 2 MiB message limit (default 8 MiB) so that 30,000 notes (~4 MB in one transaction) show
// what 100,000 would at the default, in a third of the suite's time.
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes } from '@/lib/score';
import { midiToScore } from '@/lib/midi';
import { buildSmf, manyNotes } from '../helpers/smf';
import { twoEditorsOnOneSession } from './support/two-editors';
import { noteCount, waitFor, type EditorPage } from './support/browser';

const NOTES = 30_000;
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const stage = twoEditorsOnOneSession('E2E big import', ['Importer', 'Listener'], { TUTTI_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
let A: EditorPage;
let B: EditorPage;
beforeAll(() => void ({ A, B } = stage));

/** The page's notes as sorted "track name|pitch|start|duration|velocity" lines, computed in the page. */
const contentOf = (p: EditorPage) =>
  p.page.evaluate(() => {
    const s = window.__tutti!.score();
    const names = new Map(s.tracks.map((t: any) => [t.id, t.name]));
    return s.notes.map((n: any) => `${names.get(n.trackId)}|${n.pitch}|${n.start}|${n.duration}|${n.velocity}`).sort();
  });

describe('a big MIDI import', () => {
  it(`${NOTES.toLocaleString('en')} notes imported by one editor arrive whole in the other`, async () => {
    const bytes = buildSmf(manyNotes(NOTES, 4));
    const expected = midiToScore(bytes);
    // Written as one transaction, this import would be refused: it is bigger than a message may be.
    const whole = new Y.Doc();
    const updates: Uint8Array[] = [];
    whole.on('update', (u: Uint8Array) => updates.push(u));
    addNotes(whole, expected.notes.map(({ id: _id, ...n }) => n));
    expect(updates[0]!.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(await noteCount(B.page)).toBe(0);
    const undoBefore = await A.page.evaluate(() => window.__tutti!.undoDepth());
    // Record every toast text, so the progress messages can be checked afterwards.
    await A.page.evaluate(() => {
      const seen: string[] = ((window as any).__toasts = []);
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid=toast]')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const started = Date.now();
    await A.page.getByTestId('midi-input').setInputFiles({ name: 'big.mid', mimeType: 'audio/midi', buffer: Buffer.from(bytes) });
    await waitFor(B.page, (n) => window.__tutti!.noteCount() === n, NOTES, 240_000);
    const arrivedMs = Date.now() - started;
    console.log(`[big-import] ${NOTES} notes (${bytes.length} byte file) imported in one editor arrived whole in the other after ${arrivedMs} ms`);

    // Whole and identical: the same notes on the same tracks, as the file holds them.
    const want = expected.notes.map((n) => `${expected.tracks.find((t) => t.id === n.trackId)!.name}|${n.pitch}|${n.start}|${n.duration}|${n.velocity}`).sort();
    expect(await contentOf(B)).toEqual(want);
    expect(await contentOf(A)).toEqual(want);
    const toasts: string[] = await A.page.evaluate(() => (window as any).__toasts);
    expect(toasts).toContainEqual(expect.stringMatching(/^Importing big\.mid: [\d,]+ of 30,000 notes…/));
    expect(toasts[toasts.length - 1]).toMatch(/^Imported 30,000 notes in 4 tracks from big\.mid/);
    // The batches form one undo step.
    expect(await A.page.evaluate(() => window.__tutti!.undoDepth())).toBe(undoBefore + 1);
  });
});

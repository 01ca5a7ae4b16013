// The editor's incremental score view (app/editor/session/score-store.ts) must always equal a fresh
// read of the document, whatever mix of local and remote edits arrives; and its time index must
// answer range queries like a brute-force scan.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ScoreStore } from '@/app/editor/session/score-store';
import { addNotes, addTrack, deleteNotes, deleteTrack, initScore, moveNotes, readNotes, readTracks, resizeNote, setMeta, updateTrack, type NoteId } from '@/lib/score';

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('ScoreStore', () => {
  it('tracks local and remote edits incrementally and stays equal to readScore', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
    b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
    initScore(a);
    const t1 = addTrack(a, { name: 'One' });
    const t2 = addTrack(b, { name: 'Two' });
    const store = new ScoreStore(a);
    let versions = store.version;
    const r = rng(7);
    for (let step = 0; step < 300; step++) {
      const doc = r() < 0.5 ? a : b;
      const ids = [...readNotes(doc).map((n) => n.id)];
      const pick = () => ids[Math.floor(r() * ids.length)] as NoteId;
      const op = r();
      if (op < 0.4 || ids.length < 3) addNotes(doc, [{ trackId: r() < 0.5 ? t1.id : t2.id, pitch: 40 + Math.floor(r() * 40), start: Math.floor(r() * 20) * 120, duration: 120 + Math.floor(r() * 4) * 120, velocity: 1 + Math.floor(r() * 126) }]);
      else if (op < 0.6) moveNotes(doc, [pick(), pick()], Math.floor(r() * 5) * 120 - 240, Math.floor(r() * 5) - 2);
      else if (op < 0.7) resizeNote(doc, pick(), 60 + Math.floor(r() * 8) * 60);
      else if (op < 0.85) deleteNotes(doc, [pick()]);
      else if (op < 0.9) updateTrack(doc, r() < 0.5 ? t1.id : t2.id, { name: `T${step}` });
      else setMeta(doc, { bpm: 60 + Math.floor(r() * 100) });
      const want = readNotes(a);
      expect(store.notes.size).toBe(want.length);
      for (const n of want) expect(store.notes.get(n.id)).toEqual(n);
      expect(store.tracks).toEqual(readTracks(a));
      expect(store.version).toBeGreaterThanOrEqual(versions);
      versions = store.version;
      // The index answers a random window exactly like a scan.
      const from = Math.floor(r() * 2400);
      const to = from + 1 + Math.floor(r() * 1200);
      const got = store.noteIndex().inRange(from, to).map((n) => n.id).sort();
      expect(got).toEqual(want.filter((n) => n.start < to && n.start + n.duration > from).map((n) => n.id).sort());
    }
    deleteTrack(b, t2.id);
    expect([...store.notes.values()].every((n) => n.trackId === t1.id)).toBe(true);
    store.destroy();
  });
});

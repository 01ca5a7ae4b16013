// lib/score: the shared document's accessors, validation and pure commands/queries, including
// how concurrent edits from two peers merge.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  PPQ,
  ScoreValidationError,
  addNote,
  addNotes,
  addTrack,
  deleteNotes,
  deleteTrack,
  initScore,
  moveNotes,
  noteCount,
  notesInRange,
  notesMap,
  notesOfTrack,
  notesStartingIn,
  readMeta,
  readNotes,
  readScore,
  readTracks,
  resizeNote,
  scoreEnd,
  setMeta,
  ticksPerBar,
  updateNotes,
  updateTrack,
  type Note,
  type NoteId,
  type TrackId,
} from '@/lib/score';

function fresh() {
  const doc = new Y.Doc();
  initScore(doc);
  const track = addTrack(doc, { name: 'Melody' });
  return { doc, trackId: track.id };
}

/** Two peers that have both seen `base`, for concurrent-edit tests. */
function twoPeers(base: Y.Doc) {
  const a = new Y.Doc();
  const b = new Y.Doc();
  Y.applyUpdate(a, Y.encodeStateAsUpdate(base));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(base));
  const sync = () => {
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  };
  return { a, b, sync };
}

describe('meta', () => {
  it('initScore fills defaults and keeps existing values', () => {
    const doc = new Y.Doc();
    expect(readMeta(doc).bpm).toBe(100); // defaults even before init
    initScore(doc, { title: 'Air' });
    setMeta(doc, { bpm: 72 });
    initScore(doc); // idempotent: does not reset bpm
    expect(readMeta(doc)).toMatchObject({ title: 'Air', bpm: 72, timeSignature: [4, 4], key: 'C major', schemaVersion: 1 });
  });

  it('rejects invalid meta and ignores invalid stored fields', () => {
    const { doc } = fresh();
    expect(() => setMeta(doc, { bpm: 5 })).toThrow(ScoreValidationError);
    expect(() => setMeta(doc, { key: 'H major' })).toThrow(/key/);
    expect(() => setMeta(doc, { timeSignature: [3, 5] as never })).toThrow(ScoreValidationError);
    doc.getMap('meta').set('bpm', 'fast'); // a misbehaving peer
    expect(readMeta(doc).bpm).toBe(100);
  });

  it('ticksPerBar follows the time signature at 480 PPQ', () => {
    expect(PPQ).toBe(480);
    expect(ticksPerBar([4, 4])).toBe(1920);
    expect(ticksPerBar([3, 4])).toBe(1440);
    expect(ticksPerBar([6, 8])).toBe(1440);
  });
});

describe('notes', () => {
  it('adds, reads (sorted), moves, resizes and deletes notes', () => {
    const { doc, trackId } = fresh();
    const [n1, n2] = addNotes(doc, [
      { trackId, pitch: 64, start: 480, duration: 240, velocity: 90 },
      { trackId, pitch: 60, start: 0, duration: 480, velocity: 100 },
    ]);
    expect(noteCount(doc)).toBe(2);
    expect(readNotes(doc).map((n) => n.pitch)).toEqual([60, 64]);
    moveNotes(doc, [n1!.id, n2!.id], 120, 2);
    expect(readNotes(doc).map((n) => [n.start, n.pitch])).toEqual([
      [120, 62],
      [600, 66],
    ]);
    resizeNote(doc, n1!.id, 0.2); // clamped to at least one tick
    expect(readNotes(doc).find((n) => n.id === n1!.id)!.duration).toBe(1);
    deleteNotes(doc, [n2!.id]);
    expect(readNotes(doc).map((n) => n.id)).toEqual([n1!.id]);
  });

  it('clamps moves so no note leaves the pitch or time range', () => {
    const { doc, trackId } = fresh();
    const [lo, hi] = addNotes(doc, [
      { trackId, pitch: 2, start: 100, duration: 10, velocity: 1 },
      { trackId, pitch: 120, start: 500, duration: 10, velocity: 1 },
    ]);
    moveNotes(doc, [lo!.id, hi!.id], -1000, 20);
    const notes = readNotes(doc);
    expect(notes.map((n) => n.start)).toEqual([0, 400]); // the earliest hits 0; the group keeps its shape
    expect(notes.map((n) => n.pitch)).toEqual([9, 127]);
    moveNotes(doc, [lo!.id], 0, -100);
    expect(readNotes(doc).find((n) => n.id === lo!.id)!.pitch).toBe(0);
  });

  it('validates every field and writes nothing from a rejected batch', () => {
    const { doc, trackId } = fresh();
    const ok = { trackId, pitch: 60, start: 0, duration: 120, velocity: 64 };
    for (const bad of [{ pitch: 128 }, { pitch: 60.5 }, { start: -1 }, { duration: 0 }, { velocity: 0 }, { velocity: 128 }, { trackId: 'has space' }]) {
      expect(() => addNotes(doc, [ok, { ...ok, ...bad } as never])).toThrow(ScoreValidationError);
    }
    expect(noteCount(doc)).toBe(0);
    const n = addNote(doc, ok);
    expect(() => updateNotes(doc, { [n.id]: { pitch: -3 } })).toThrow(/pitch/);
    expect(readNotes(doc)[0]!.pitch).toBe(60);
  });

  it('skips notes a peer wrote with invalid fields instead of failing the whole read', () => {
    const { doc, trackId } = fresh();
    addNote(doc, { trackId, pitch: 60, start: 0, duration: 120, velocity: 64 });
    const junk = new Y.Map<unknown>();
    notesMap(doc).set('junk', junk);
    junk.set('pitch', 999);
    expect(readNotes(doc)).toHaveLength(1);
    expect(noteCount(doc)).toBe(2); // the raw count still sees it
  });

  it('updateNotes ignores notes deleted meanwhile and writes only changed fields', () => {
    const { doc, trackId } = fresh();
    const n = addNote(doc, { trackId, pitch: 60, start: 0, duration: 120, velocity: 64 });
    let updates = 0;
    doc.on('update', () => updates++);
    updateNotes(doc, { [n.id]: { pitch: 60 }, gone: { pitch: 1 } });
    expect(updates).toBe(0);
    updateNotes(doc, new Map([[n.id, { velocity: 100 }]]));
    expect(readNotes(doc)[0]!.velocity).toBe(100);
  });
});

describe('tracks', () => {
  it('adds tracks with defaults and increasing order, updates and deletes them with their notes', () => {
    const { doc, trackId } = fresh();
    const bass = addTrack(doc, { name: 'Bass', instrument: 'bass' });
    expect(readTracks(doc).map((t) => [t.name, t.role, t.order])).toEqual([
      ['Melody', 'melody', 0],
      ['Bass', 'accompaniment', 1],
    ]);
    updateTrack(doc, bass.id, { muted: true, volume: 0.5 });
    expect(readTracks(doc)[1]).toMatchObject({ muted: true, volume: 0.5 });
    expect(() => updateTrack(doc, bass.id, { color: 'red' })).toThrow(ScoreValidationError);
    addNotes(doc, [
      { trackId: bass.id, pitch: 36, start: 0, duration: 960, velocity: 80 },
      { trackId, pitch: 72, start: 0, duration: 960, velocity: 80 },
    ]);
    deleteTrack(doc, bass.id);
    expect(readTracks(doc).map((t) => t.id)).toEqual([trackId]);
    expect(readNotes(doc).map((n) => n.trackId)).toEqual([trackId]);
  });
});

describe('concurrent edits (two peers)', () => {
  it('keeps both peers’ inserts and both field edits of one note', () => {
    const { doc, trackId } = fresh();
    const n = addNote(doc, { trackId, pitch: 60, start: 0, duration: 480, velocity: 64 });
    const { a, b, sync } = twoPeers(doc);
    addNote(a, { trackId, pitch: 62, start: 480, duration: 480, velocity: 64 });
    addNote(b, { trackId, pitch: 64, start: 480, duration: 480, velocity: 64 });
    moveNotes(a, [n.id], 960, 0); // a moves it in time…
    updateNotes(b, { [n.id]: { pitch: 67 } }); // …while b transposes it
    sync();
    expect(readScore(a)).toEqual(readScore(b));
    expect(readNotes(a)).toHaveLength(3);
    expect(readNotes(a).find((x) => x.id === n.id)).toMatchObject({ start: 960, pitch: 67 });
  });

  it('a delete wins over a concurrent edit of the same note, and the document stays valid', () => {
    const { doc, trackId } = fresh();
    const n = addNote(doc, { trackId, pitch: 60, start: 0, duration: 480, velocity: 64 });
    const { a, b, sync } = twoPeers(doc);
    deleteNotes(a, [n.id]);
    updateNotes(b, { [n.id]: { velocity: 127 } });
    sync();
    expect(readNotes(a)).toEqual([]);
    expect(readNotes(b)).toEqual([]);
  });
});

describe('queries', () => {
  const t1 = 't1' as TrackId;
  const t2 = 't2' as TrackId;
  const note = (id: string, trackId: TrackId, start: number, duration: number): Note => ({ id: id as NoteId, trackId, pitch: 60, start, duration, velocity: 64 });
  const notes = [note('a', t1, 0, 480), note('b', t1, 480, 480), note('c', t2, 960, 1920), note('d', t2, 100, 10)];

  it('filters by track and by sounding or starting range', () => {
    expect(notesOfTrack(notes, t2).map((n) => n.id)).toEqual(['c', 'd']);
    expect(notesInRange(notes, 400, 1000).map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(notesInRange(notes, 480, 960).map((n) => n.id)).toEqual(['b']); // end-exclusive on both sides
    expect(notesInRange(notes, 0, 2000, t2).map((n) => n.id)).toEqual(['c', 'd']);
    expect(notesStartingIn(notes, 0, 480).map((n) => n.id)).toEqual(['a', 'd']);
    expect(scoreEnd(notes)).toBe(2880);
    expect(scoreEnd([])).toBe(0);
  });
});

// Readers in lib/score never throw on a malformed entry (issue 11): they skip it and count it, and
// the schema checks in lib/score/validate name every invalid entry and can drop them.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addNotes,
  addTrack,
  deleteTrack,
  dropInvalidEntries,
  findInvalidEntries,
  initScore,
  jobsMap,
  notesMap,
  readJob,
  readJobs,
  readNotes,
  readScoreReport,
  readTracks,
  tracksMap,
  undoJobResult,
  updateNotes,
  writeJobState,
  type NoteId,
} from '@/lib/score';

function poisoned() {
  const doc = new Y.Doc();
  initScore(doc);
  const track = addTrack(doc, { name: 'Melody' });
  const [good] = addNotes(doc, [{ trackId: track.id, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
  notesMap(doc).set('n42', 42 as never);
  tracksMap(doc).set('ts', 's' as never);
  jobsMap(doc).set('jx', 'x' as never);
  const half = new Y.Map<unknown>();
  notesMap(doc).set('half', half);
  half.set('trackId', track.id);
  half.set('pitch', 60);
  const nested = new Y.Map<unknown>();
  notesMap(doc).set('nested', nested);
  for (const [k, v] of Object.entries({ trackId: track.id, pitch: new Y.Map(), start: 0, duration: 1, velocity: 1 })) nested.set(k, v);
  doc.getMap('evil').set('a', 1);
  doc.getMap('meta').set('bpm', 'fast');
  return { doc, track, good: good! };
}

describe('readers on a document with malformed entries', () => {
  it('skip and count them instead of throwing', () => {
    const { doc, track, good } = poisoned();
    const { score, skipped } = readScoreReport(doc);
    expect(score.notes.map((n) => n.id)).toEqual([good.id]);
    expect(score.tracks.map((t) => t.id)).toEqual([track.id]);
    expect(score.meta.bpm).toBe(100); // the invalid bpm reads as the default
    expect(skipped).toBe(4); // n42, half, nested, ts
    expect(readJobs(doc)).toEqual([]);
    expect(readJob('jx', 'x')).toBeNull();
  });

  it('commands work around them', () => {
    const { doc, track, good } = poisoned();
    expect(() => addTrack(doc, { name: 'Bass' })).not.toThrow();
    expect(readTracks(doc).map((t) => t.name)).toEqual(['Melody', 'Bass']);
    expect(() => updateNotes(doc, { n42: { pitch: 61 }, [good.id]: { pitch: 62 } })).not.toThrow();
    expect(readNotes(doc)[0]!.pitch).toBe(62);
    expect(() => undoJobResult(doc, 'jx')).not.toThrow();
    writeJobState(doc, 'jx', { model: 'gan', task: 'accompany', requesterId: 'p', requesterName: 'P', createdAt: 1 });
    expect(readJobs(doc).map((j) => j.id)).toEqual(['jx']);
    expect(() => deleteTrack(doc, track.id)).not.toThrow();
    expect(readNotes(doc).some((n) => n.id === (good.id as NoteId))).toBe(false);
  });

  it('findInvalidEntries names each one, dropInvalidEntries removes exactly those', () => {
    const { doc, good } = poisoned();
    const found = findInvalidEntries(doc);
    expect(found.map((e) => `${e.map}.${e.key}`).sort()).toEqual(['evil.a', 'jobs.jx', 'meta.bpm', 'notes.half', 'notes.n42', 'notes.nested', 'tracks.ts']);
    expect(dropInvalidEntries(doc, 'repair').length).toBe(7);
    expect(findInvalidEntries(doc)).toEqual([]);
    expect(readScoreReport(doc).skipped).toBe(0);
    expect(readNotes(doc).map((n) => n.id)).toEqual([good.id]);
  });
});

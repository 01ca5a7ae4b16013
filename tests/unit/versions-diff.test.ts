// Pure version helpers (lib/score/versions.ts, server/versions/retention.ts): the note diff, the
// restore plan for the whole score and for a bar/track range, applying a plan as one undoable
// transaction, the bar grid under metre changes, the compact state round-trip, and retention.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, addTrack, deleteTrack, initScore, readScore, setMeta, updateNotes, deleteNotes, type Note, type NoteId, type TrackId } from '@/lib/score';
import { applyRestorePlan, barStartTick, diffNotes, planRestore, planSize, scoreFromState, scoreToState } from '@/lib/score/versions';
import { thinAutomatic } from '@/server/versions/retention';

const BAR = 1920;
const note = (id: string, start: number, pitch = 60, extra: Partial<Note> = {}): Note => ({ id: id as NoteId, trackId: 't1' as TrackId, pitch, start, duration: 240, velocity: 90, ...extra });

function session() {
  const doc = new Y.Doc();
  initScore(doc);
  const t1 = addTrack(doc, { name: 'Melody' });
  const t2 = addTrack(doc, { name: 'Bass' });
  addNotes(doc, [0, 1, 2, 3].flatMap((bar) => [
    { trackId: t1.id, pitch: 64 + bar, start: bar * BAR, duration: 480, velocity: 90 },
    { trackId: t2.id, pitch: 40 + bar, start: bar * BAR, duration: 960, velocity: 70 },
  ]));
  return { doc, t1: t1.id, t2: t2.id };
}

const shape = (notes: readonly Note[]) => notes.map((n) => `${n.trackId}:${n.pitch}:${n.start}:${n.duration}:${n.velocity}`).sort();

describe('diffNotes', () => {
  it('reports added, removed and changed notes, matching leftovers by content', () => {
    const before = [note('a', 0), note('b', 480), note('c', 960), note('d', 1440)];
    const after = [note('a', 0), note('b', 480, 62), note('x', 960), note('y', 1920)];
    const d = diffNotes(before, after);
    expect(d.added.map((n) => n.id)).toEqual(['y']);
    expect(d.removed.map((n) => n.id)).toEqual(['d']);
    expect(d.changed.map((c) => [c.before.pitch, c.after.pitch])).toEqual([[60, 62]]);
    expect(d.unchanged).toBe(2); // a, and c redrawn in place as x
  });
});

describe('bar grid', () => {
  it('follows metre changes', () => {
    const meta = { bpm: 120, timeSignature: [4, 4] as [number, 4], timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 as const }, { tick: 2 * BAR, numerator: 3, denominator: 4 as const }] };
    expect(barStartTick(meta, 1)).toBe(0);
    expect(barStartTick(meta, 3)).toBe(2 * BAR);
    expect(barStartTick(meta, 4)).toBe(2 * BAR + 1440);
  });
});

describe('planRestore / applyRestorePlan', () => {
  it('restores only the notes starting in the bar range, on the chosen tracks', () => {
    const { doc, t1, t2 } = session();
    const version = readScore(doc);
    const now = readScore(doc).notes;
    // Change every bar on both tracks.
    updateNotes(doc, new Map(now.map((n) => [n.id, { pitch: n.pitch + 1 }])));
    const before = readScore(doc);
    const plan = planRestore(before, version, { fromBar: 2, toBar: 3, trackIds: [t1] });
    expect(plan.updates).toHaveLength(2);
    expect(plan.adds).toHaveLength(0);
    expect(plan.deletes).toHaveLength(0);
    applyRestorePlan(doc, plan);
    const after = readScore(doc).notes;
    const inRange = (n: Note) => n.trackId === t1 && n.start >= BAR && n.start < 3 * BAR;
    expect(shape(after.filter(inRange))).toEqual(shape(version.notes.filter(inRange)));
    expect(shape(after.filter((n) => !inRange(n)))).toEqual(shape(before.notes.filter((n) => !inRange(n))));
    void t2;
  });

  it('brings back deleted notes and their deleted track, and gives a fresh id when the old one lives elsewhere', () => {
    const { doc, t2 } = session();
    const version = readScore(doc);
    const bassBar1 = version.notes.find((n) => n.trackId === t2 && n.start === 0)!;
    deleteTrack(doc, t2);
    const plan = planRestore(readScore(doc), version, { fromBar: 1, toBar: 1 });
    expect(plan.addTracks.map((t) => t.id)).toEqual([t2]);
    applyRestorePlan(doc, plan);
    const s = readScore(doc);
    expect(s.tracks.map((t) => t.id)).toContain(t2);
    expect(s.notes.find((n) => n.id === bassBar1.id)).toMatchObject({ start: 0, trackId: t2 });
    // Only bar 1 of the bass came back.
    expect(s.notes.filter((n) => n.trackId === t2)).toHaveLength(1);

    // A note moved out of the range since: restoring the range adds a copy with a new id and leaves the moved one.
    const { doc: d2, t1 } = session();
    const v2 = readScore(d2);
    const first = v2.notes.find((n) => n.trackId === t1 && n.start === 0)!;
    updateNotes(d2, new Map([[first.id, { start: 3 * BAR + 240 }]]));
    const p2 = planRestore(readScore(d2), v2, { fromBar: 1, toBar: 1 });
    expect(p2.adds).toHaveLength(1);
    expect(p2.adds[0]!.id).toBeNull();
    applyRestorePlan(d2, p2);
    const notes = readScore(d2).notes;
    expect(notes.filter((n) => n.trackId === t1 && n.pitch === first.pitch)).toHaveLength(2);
  });

  it('restores the whole score (notes, tracks, metre; not the title) and one undo takes it all back', () => {
    const { doc, t1 } = session();
    setMeta(doc, { title: 'Song' });
    const version = readScore(doc);
    const origin = { user: 1 };
    const undo = new Y.UndoManager([doc.getMap('notes'), doc.getMap('tracks'), doc.getMap('meta')], { trackedOrigins: new Set([origin]) });
    setMeta(doc, { bpm: 150, title: 'Renamed' }, origin);
    deleteNotes(doc, readScore(doc).notes.slice(0, 3).map((n) => n.id), origin);
    addTrack(doc, { name: 'Extra' }, origin);
    addNotes(doc, [{ trackId: t1, pitch: 90, start: 100, duration: 100, velocity: 100 }], origin);
    undo.stopCapturing();
    const edited = readScore(doc);
    const plan = planRestore(edited, version);
    expect(planSize(plan)).toBeGreaterThan(0);
    applyRestorePlan(doc, plan, origin);
    const restored = readScore(doc);
    expect(shape(restored.notes)).toEqual(shape(version.notes));
    expect(restored.tracks.map((t) => t.id)).toEqual(version.tracks.map((t) => t.id));
    expect(restored.meta.bpm).toBe(version.meta.bpm);
    expect(restored.meta.title).toBe('Renamed');
    expect(planSize(planRestore(restored, version))).toBe(0);
    undo.undo();
    const back = readScore(doc);
    expect(shape(back.notes)).toEqual(shape(edited.notes));
    expect(back.tracks.map((t) => t.id)).toEqual(edited.tracks.map((t) => t.id));
    expect(back.meta.bpm).toBe(150);
  });
});

describe('compact state', () => {
  it('round-trips a score with its ids', () => {
    const { doc } = session();
    setMeta(doc, { tempos: [{ tick: 0, bpm: 100 }, { tick: BAR, bpm: 90 }] });
    const score = readScore(doc);
    expect(scoreFromState(scoreToState(score))).toEqual(score);
  });
});

describe('thinAutomatic', () => {
  const H = 3_600_000;
  it('keeps the last hour, then one per hour for a day, then one per day', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const at = (ms: number, id: string) => ({ id, createdAt: new Date(now - ms) });
    const autos = [
      at(5 * 60_000, 'recent1'),
      at(20 * 60_000, 'recent2'),
      at(2 * H + 10 * 60_000, 'h2-late'),
      at(2 * H + 40 * 60_000, 'h2-early'),
      at(30 * H, 'd1-late'),
      at(33 * H, 'd1-early'),
      at(80 * H, 'd3'),
    ];
    expect(thinAutomatic(autos, now).sort()).toEqual(['d1-early', 'h2-early']);
    expect(thinAutomatic([at(90 * H, 'only')], now)).toEqual([]);
  });
});

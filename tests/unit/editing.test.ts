// Pure editing operations of the piano roll: snap, move/transpose with clamping, quantise,
// copy/paste/duplicate, selection, viewport maths and the visible-range index.
import { describe, expect, it } from 'vitest';
import {
  NoteIndex,
  clickSelect,
  copyNotes,
  duplicateNotes,
  hitTest,
  moveNotes,
  notesInRect,
  pasteClip,
  pitchToY,
  quantiseNotes,
  resizeNotes,
  setVelocity,
  snapCeil,
  snapFloor,
  snapRound,
  snapTicks,
  tickToX,
  transposeNotes,
  visiblePitches,
  xToTick,
  yToPitch,
  zoomX,
  zoomY,
  type Viewport,
} from '@/lib/editing';
import type { Note, NoteId, TrackId } from '@/lib/score';

const T = 'trk' as TrackId;
let seq = 0;
const note = (pitch: number, start: number, duration = 120, velocity = 100): Note => ({ id: `n${seq++}` as NoteId, trackId: T, pitch, start, duration, velocity });

describe('snap', () => {
  it('maps snap ids to ticks at 480 PPQ', () => {
    expect(['1/4', '1/8', '1/16', '1/32', 'off'].map((s) => snapTicks(s as never))).toEqual([480, 240, 120, 60, 0]);
  });
  it('rounds, floors and ceils onto the grid; off keeps whole ticks', () => {
    expect(snapRound(179, 120)).toBe(120);
    expect(snapRound(181, 120)).toBe(240);
    expect(snapFloor(239, 120)).toBe(120);
    expect(snapCeil(121, 120)).toBe(240);
    expect(snapRound(181.4, 0)).toBe(181);
  });
});

describe('move and transpose', () => {
  it('moves a group and clamps at tick 0 and the pitch range as a whole', () => {
    const a = note(60, 240);
    const b = note(64, 480);
    const p = moveNotes([a, b], -1000, 0);
    expect(p.get(a.id)).toEqual({ start: 0, pitch: 60 });
    expect(p.get(b.id)).toEqual({ start: 240, pitch: 64 });
    const up = transposeNotes([note(120, 0), note(125, 0)], 12);
    expect([...up.values()].map((x) => x.pitch)).toEqual([122, 127]);
  });
  it('returns no patches for a no-op', () => {
    expect(moveNotes([note(60, 0)], -5, 0).size).toBe(0);
    expect(transposeNotes([note(0, 0)], -1).size).toBe(0);
  });
  it('transposes by an octave', () => {
    const n = note(60, 0);
    expect(transposeNotes([n], -12).get(n.id)).toEqual({ start: 0, pitch: 48 });
  });
  it('resizes with a minimum length', () => {
    const n = note(60, 0, 240);
    expect(resizeNotes([n], -1000, 60).get(n.id)).toEqual({ duration: 60 });
  });
});

describe('quantise', () => {
  it('snaps starts to the nearest grid line, keeping length', () => {
    const a = note(60, 130, 100);
    const b = note(62, 470, 100);
    const p = quantiseNotes([a, b], 120);
    expect(p.get(a.id)).toEqual({ start: 120 });
    expect(p.get(b.id)).toEqual({ start: 480 });
  });
  it('supports partial strength and end quantisation', () => {
    const a = note(60, 140, 90);
    expect(quantiseNotes([a], 120, { strength: 0.5 }).get(a.id)).toEqual({ start: 130 });
    expect(quantiseNotes([a], 120, { ends: true }).get(a.id)).toEqual({ start: 120, duration: 120 });
  });
  it('does nothing with snap off or already-quantised notes', () => {
    expect(quantiseNotes([note(60, 130)], 0).size).toBe(0);
    expect(quantiseNotes([note(60, 240)], 120).size).toBe(0);
  });
});

describe('copy, paste, duplicate', () => {
  it('pastes a clip relative to its first note at a new position and track', () => {
    const clip = copyNotes([note(64, 600, 120, 90), note(60, 480, 240, 80)])!;
    expect(clip.span).toBe(240);
    const pasted = pasteClip(clip, 1920, 'other' as TrackId);
    expect(pasted).toEqual([
      { trackId: 'other', pitch: 60, start: 1920, duration: 240, velocity: 80 },
      { trackId: 'other', pitch: 64, start: 2040, duration: 120, velocity: 90 },
    ]);
  });
  it('duplicates right after the selection, rounded up to the grid', () => {
    const dup = duplicateNotes([note(60, 0, 480), note(62, 480, 400)], 1920);
    expect(dup.map((n) => n.start)).toEqual([1920, 2400]);
    expect(duplicateNotes([note(60, 0, 100)], 120)[0]!.start).toBe(120);
    expect(copyNotes([])).toBeNull();
  });
  it('sets velocity within 1..127', () => {
    const n = note(60, 0);
    expect(setVelocity([n], 300).get(n.id)).toEqual({ velocity: 127 });
    expect(setVelocity([n], 0).get(n.id)).toEqual({ velocity: 1 });
  });
});

describe('selection', () => {
  const a = note(60, 0, 480);
  const b = note(62, 480, 480);
  const c = note(72, 1920, 120);
  it('hit-tests bodies and ends', () => {
    expect(hitTest([a, b], 100, 60, 30)).toMatchObject({ note: a, part: 'body' });
    expect(hitTest([a, b], 470, 60, 30)).toMatchObject({ note: a, part: 'end' });
    expect(hitTest([a, b], 100, 61, 30)).toBeNull();
  });
  it('box-selects notes overlapping the band in any drag direction', () => {
    expect(notesInRect([a, b, c], { t0: 600, t1: 300, p0: 63, p1: 59 }).map((n) => n.id)).toEqual([a.id, b.id]);
  });
  it('shift-click toggles, plain click replaces', () => {
    const s = new Set([a.id]);
    expect([...clickSelect(s, b.id, true)]).toEqual([a.id, b.id]);
    expect([...clickSelect(new Set([a.id, b.id]), b.id, true)]).toEqual([a.id]);
    expect([...clickSelect(s, b.id, false)]).toEqual([b.id]);
  });
});

describe('viewport', () => {
  const v: Viewport = { scrollTick: 960, scrollY: 100, pxPerTick: 0.1, rowHeight: 10, width: 800, height: 400 };
  it('converts ticks and pitches both ways', () => {
    expect(tickToX(v, 1960)).toBe(100);
    expect(xToTick(v, 100)).toBe(1960);
    expect(pitchToY(v, 117)).toBe(0);
    expect(yToPitch(v, 0)).toBe(117);
    expect(yToPitch(v, 9.9)).toBe(117);
    expect(yToPitch(v, 10)).toBe(116);
  });
  it('zooms around the anchor point', () => {
    const z = zoomX(v, 2, 400);
    expect(xToTick(z, 400)).toBeCloseTo(xToTick(v, 400));
    expect(z.pxPerTick).toBe(0.2);
    const zy = zoomY(v, 2, 200);
    expect(zy.rowHeight).toBe(20);
    expect(zy.scrollY).toBe(2 * (200 + 100) - 200);
  });
  it('reports visible pitches', () => {
    expect(visiblePitches(v)).toEqual([77, 117]);
  });
});

describe('NoteIndex', () => {
  it('finds exactly the notes sounding in a range, including long ones that started earlier', () => {
    const notes = Array.from({ length: 10_000 }, (_, i) => note(40 + (i % 40), i * 120, 120));
    const long = note(30, 0, 1_000_000);
    const idx = new NoteIndex([...notes, long]);
    const got = idx.inRange(120_000, 121_000);
    const want = [...notes, long].filter((n) => n.start < 121_000 && n.start + n.duration > 120_000);
    expect(new Set(got.map((n) => n.id))).toEqual(new Set(want.map((n) => n.id)));
    expect(idx.startingIn(0, 240).length).toBe(3);
  });
});

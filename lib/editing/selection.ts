// Selection logic: hit testing a point, notes inside a rubber band, and shift-click toggling.
import type { Note, NoteId } from '../score';

export type HitPart = 'body' | 'end';
export interface Hit {
  note: Note;
  part: HitPart;
}

/**
 * The note under (tick, pitch), preferring the latest-starting one (drawn on top). A hit within
 * `edgeTicks` of a note's end grabs the end for resizing; short notes keep a body to grab.
 */
export function hitTest(notes: Iterable<Note>, tick: number, pitch: number, edgeTicks: number): Hit | null {
  let best: Note | null = null;
  for (const n of notes) {
    if (n.pitch !== pitch || tick < n.start || tick >= n.start + n.duration + edgeTicks * 0.5) continue;
    if (!best || n.start > best.start) best = n;
  }
  if (!best) return null;
  const edge = Math.min(edgeTicks, best.duration / 3);
  return { note: best, part: tick >= best.start + best.duration - edge ? 'end' : 'body' };
}

export interface TickRect {
  t0: number;
  t1: number;
  p0: number;
  p1: number;
}

/** Notes that overlap a rubber band spanning ticks [t0,t1] and pitches [p0,p1] (any corner order). */
export function notesInRect(notes: Iterable<Note>, r: TickRect): Note[] {
  const t0 = Math.min(r.t0, r.t1);
  const t1 = Math.max(r.t0, r.t1);
  const p0 = Math.min(r.p0, r.p1);
  const p1 = Math.max(r.p0, r.p1);
  const out: Note[] = [];
  for (const n of notes) if (n.pitch >= p0 && n.pitch <= p1 && n.start < t1 && n.start + n.duration > t0) out.push(n);
  return out;
}

/** Click semantics: plain click selects just this note (unless already selected); shift toggles it. */
export function clickSelect(current: ReadonlySet<NoteId>, id: NoteId, shift: boolean): Set<NoteId> {
  if (shift) {
    const next = new Set(current);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }
  return current.has(id) ? new Set(current) : new Set([id]);
}

export function unionSelect(current: ReadonlySet<NoteId>, ids: Iterable<NoteId>, additive: boolean): Set<NoteId> {
  const next = additive ? new Set(current) : new Set<NoteId>();
  for (const id of ids) next.add(id);
  return next;
}

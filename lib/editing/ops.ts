// Pure editing operations on plain notes. Each returns the patches or new notes to write; the caller
// applies them in one Yjs transaction with its own origin, so one gesture is one undo step.
import type { Note, NoteData, NoteId, TrackId } from '../score';
import { snapCeil, snapRound } from './grid';

export type Patch = { start?: number; pitch?: number; duration?: number; velocity?: number };
export type PatchMap = Map<NoteId, Patch>;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Moves notes together, clamped as a group so the chord shape survives hitting an edge
 * (nothing below tick 0 or outside pitch 0–127).
 */
export function moveNotes(notes: readonly Note[], dTicks: number, dPitch: number): PatchMap {
  const out: PatchMap = new Map();
  if (notes.length === 0) return out;
  let minStart = Infinity;
  let minPitch = Infinity;
  let maxPitch = -Infinity;
  for (const n of notes) {
    minStart = Math.min(minStart, n.start);
    minPitch = Math.min(minPitch, n.pitch);
    maxPitch = Math.max(maxPitch, n.pitch);
  }
  const dt = Math.round(Math.max(dTicks, -minStart));
  const dp = clamp(Math.round(dPitch), -minPitch, 127 - maxPitch);
  if (dt === 0 && dp === 0) return out;
  for (const n of notes) out.set(n.id, { start: n.start + dt, pitch: n.pitch + dp });
  return out;
}

/** Transposes by semitones (12 = an octave); the whole selection stops at the keyboard's edge. */
export function transposeNotes(notes: readonly Note[], semitones: number): PatchMap {
  return moveNotes(notes, 0, semitones);
}

/** Changes note lengths by a delta, each at least `minDuration` ticks long. */
export function resizeNotes(notes: readonly Note[], dDuration: number, minDuration: number): PatchMap {
  const out: PatchMap = new Map();
  for (const n of notes) {
    const d = Math.max(minDuration, Math.round(n.duration + dDuration));
    if (d !== n.duration) out.set(n.id, { duration: d });
  }
  return out;
}

/**
 * Quantises note starts to the grid (and, optionally, their ends). `strength` 1 snaps fully;
 * 0.5 moves each note halfway, as in a DAW's quantise strength. Durations never drop below one step.
 */
export function quantiseNotes(notes: readonly Note[], grid: number, opts: { strength?: number; ends?: boolean } = {}): PatchMap {
  const out: PatchMap = new Map();
  if (grid <= 0) return out;
  const strength = clamp(opts.strength ?? 1, 0, 1);
  for (const n of notes) {
    const target = snapRound(n.start, grid);
    const start = Math.max(0, Math.round(n.start + (target - n.start) * strength));
    let duration = n.duration;
    if (opts.ends) {
      const endTarget = Math.max(target + grid, snapRound(n.start + n.duration, grid));
      const end = Math.round(n.start + n.duration + (endTarget - n.start - n.duration) * strength);
      duration = Math.max(1, end - start);
    }
    const patch: Patch = {};
    if (start !== n.start) patch.start = start;
    if (duration !== n.duration) patch.duration = duration;
    if (Object.keys(patch).length) out.set(n.id, patch);
  }
  return out;
}

/** Sets (or scales by a delta) velocities, clamped to MIDI's 1–127. */
export function setVelocity(notes: readonly Note[], velocity: number): PatchMap {
  const v = clamp(Math.round(velocity), 1, 127);
  const out: PatchMap = new Map();
  for (const n of notes) if (n.velocity !== v) out.set(n.id, { velocity: v });
  return out;
}

export function nudgeVelocity(notes: readonly Note[], delta: number): PatchMap {
  const out: PatchMap = new Map();
  for (const n of notes) {
    const v = clamp(Math.round(n.velocity + delta), 1, 127);
    if (v !== n.velocity) out.set(n.id, { velocity: v });
  }
  return out;
}

/** Copied notes, stored relative to the earliest start so they can be pasted anywhere. */
export interface Clip {
  notes: { pitch: number; offset: number; duration: number; velocity: number; trackId: TrackId }[];
  /** Length from the first start to the last end. */
  span: number;
}

export function copyNotes(notes: readonly Note[]): Clip | null {
  if (notes.length === 0) return null;
  const first = Math.min(...notes.map((n) => n.start));
  const end = Math.max(...notes.map((n) => n.start + n.duration));
  return {
    span: end - first,
    notes: [...notes]
      .sort((a, b) => a.start - b.start || a.pitch - b.pitch)
      .map((n) => ({ pitch: n.pitch, offset: n.start - first, duration: n.duration, velocity: n.velocity, trackId: n.trackId })),
  };
}

/** Notes to add for pasting a clip at `at` ticks; into `trackId` when given, else their own tracks. */
export function pasteClip(clip: Clip, at: number, trackId?: TrackId): NoteData[] {
  const base = Math.max(0, Math.round(at));
  return clip.notes.map((n) => ({ trackId: trackId ?? n.trackId, pitch: n.pitch, start: base + n.offset, duration: n.duration, velocity: n.velocity }));
}

/**
 * Duplicates notes right after themselves: the copy starts at the selection's end rounded up to
 * the grid (so a one-bar phrase repeats on the next bar line), like Ctrl+D in a DAW.
 */
export function duplicateNotes(notes: readonly Note[], grid: number): NoteData[] {
  const clip = copyNotes(notes);
  if (!clip) return [];
  const first = Math.min(...notes.map((n) => n.start));
  const step = Math.max(grid > 0 ? snapCeil(clip.span, grid) : clip.span, 1);
  return pasteClip(clip, first + step);
}

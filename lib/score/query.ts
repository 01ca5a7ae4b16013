// Read-only questions about a list of notes: which notes a track has, which sound in a time range.
// Pure functions over plain notes so the editor, the exporters and the models share them.
import type { Note, TrackId } from './types';

export function notesOfTrack(notes: readonly Note[], trackId: TrackId): Note[] {
  return notes.filter((n) => n.trackId === trackId);
}

/** Notes sounding anywhere in [from, to) ticks: they start before `to` and end after `from`. */
export function notesInRange(notes: readonly Note[], from: number, to: number, trackId?: TrackId): Note[] {
  return notes.filter((n) => n.start < to && n.start + n.duration > from && (trackId === undefined || n.trackId === trackId));
}

/** Notes whose start lies in [from, to). */
export function notesStartingIn(notes: readonly Note[], from: number, to: number, trackId?: TrackId): Note[] {
  return notes.filter((n) => n.start >= from && n.start < to && (trackId === undefined || n.trackId === trackId));
}

/** End tick of the last note (0 for an empty list). */
export function scoreEnd(notes: readonly Note[]): number {
  let end = 0;
  for (const n of notes) end = Math.max(end, n.start + n.duration);
  return end;
}

// How an imported score goes into a live session: whether it fits the session's limits (checked
// before anything is written, so a refused file leaves nothing behind) and in which batches its
// notes are written. Every batch is its own Yjs transaction and so its own websocket message;
// one transaction of ~60,000 notes is over the server's 8 MiB message limit and would be resent
// forever, so batches stay far below it (5,000 notes encode to about 1.2 MB).
import { MAX_NOTES, MAX_TRACKS } from '../score/limits';
import type { Score } from '../score';
import { MidiImportError } from './errors';

/** Notes per transaction of an import. */
export const IMPORT_BATCH_NOTES = 5_000;

export interface SessionSize {
  notes: number;
  tracks: number;
}

/** Throws MidiImportError when `score` added to a session of `current` size exceeds its limits. */
export function checkImportFits(score: Pick<Score, 'notes' | 'tracks'>, current: SessionSize, limits = { maxNotes: MAX_NOTES, maxTracks: MAX_TRACKS }): void {
  const fmt = (n: number) => n.toLocaleString('en');
  if (current.notes + score.notes.length > limits.maxNotes) {
    throw new MidiImportError(
      `It has ${fmt(score.notes.length)} notes and the session already holds ${fmt(current.notes)}; a session holds at most ${fmt(limits.maxNotes)}. Nothing was imported.`,
    );
  }
  if (current.tracks + score.tracks.length > limits.maxTracks) {
    throw new MidiImportError(
      `It would add ${fmt(score.tracks.length)} tracks to the session's ${fmt(current.tracks)}; a session holds at most ${fmt(limits.maxTracks)}. Nothing was imported.`,
    );
  }
}

/** `items` in consecutive batches of at most `size` (the last may be shorter). */
export function inBatches<T>(items: readonly T[], size = IMPORT_BATCH_NOTES): T[][] {
  if (!(size >= 1)) throw new RangeError('batch size must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

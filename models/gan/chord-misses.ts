// Why a chord at a melody onset is not a triad or seventh chord (issue 12's chord_at_onsets, whose
// definition is models/metrics/harmony): counted by how many distinct pitch classes the four voices
// sound there. Two classes = voices doubling one note (a bare interval); three or four classes that
// are no chord = a clash. Used by the eval to show what fails, for the model and for Bach alike.
import { REST } from '../data/jsb';
import { isOnset, isTriadOrSeventh } from '../metrics/harmony';

export interface ChordMisses {
  /** Melody onsets where every voice sounds (the metric's denominator). */
  onsets: number;
  complete: number;
  /** Not a chord, by the number of distinct pitch classes sounding (1–4). */
  byClasses: [number, number, number, number];
}

export function emptyChordMisses(): ChordMisses {
  return { onsets: 0, complete: 0, byClasses: [0, 0, 0, 0] };
}

/** Adds one piece (melody + voices, one MIDI pitch or REST per 16th) to `acc`. */
export function addChordMisses(acc: ChordMisses, melody: readonly number[], voices: readonly (readonly number[])[]): ChordMisses {
  const out: ChordMisses = { onsets: acc.onsets, complete: acc.complete, byClasses: [...acc.byClasses] };
  const all = [melody, ...voices];
  for (let t = 0; t < melody.length; t++) {
    if (!isOnset(melody, t) || !all.every((v) => v[t] !== undefined && v[t] !== REST)) continue;
    const pitches = all.map((v) => v[t]!);
    out.onsets++;
    if (isTriadOrSeventh(pitches)) out.complete++;
    else out.byClasses[new Set(pitches.map((p) => ((p % 12) + 12) % 12)).size - 1]!++;
  }
  return out;
}

/** Shares of the onsets: complete chords and misses by number of pitch classes (keys `classes_1`…`classes_4`). */
export function chordMissShares(m: ChordMisses): Record<string, number> {
  const r = (x: number): number => (m.onsets > 0 ? Math.round((1e4 * x) / m.onsets) / 1e4 : NaN);
  return { complete: r(m.complete), ...Object.fromEntries(m.byClasses.map((x, i) => [`classes_${i + 1}`, r(x)])) };
}

// Score ↔ the model's grid: the user's melody track(s) → one monophonic 16th-step line in the
// soprano register the model was trained on, and generated voice lines → notes (./encoding.ts
// turns lines into tensors). Pure functions.
import type { NoteData, Score, TrackId } from '../../lib/score';
import { PITCH_HIGH, PITCH_LOW, REST } from '../data/jsb';
import { fitPitch, quantizeNote, stepToTick } from '../data/score-convert';

/** Median soprano pitch of the JSB training chorales is about here (A4 = 69 … E5). */
export const SOPRANO_CENTER = 69;

/**
 * Skyline of the source tracks over steps [from, from + steps): the highest pitch sounding at each
 * step (a melody track may carry chords or overlapping notes), REST where none does.
 */
export function melodyLine(score: Score, trackIds: readonly TrackId[], from: number, steps: number): number[] {
  const line = new Array<number>(steps).fill(REST);
  for (const n of score.notes) {
    if (!trackIds.includes(n.trackId)) continue;
    const [s, e] = quantizeNote(n);
    for (let t = Math.max(s, from); t < Math.min(e, from + steps); t++) if (n.pitch > line[t - from]!) line[t - from] = n.pitch;
  }
  return line;
}

/**
 * Octave shift that puts the line's median near the soprano centre, so a melody written an octave
 * low (or high) is harmonised in the register the model knows; stray pitches still outside the
 * window are folded in by octaves. Returns the shifted line and the shift (to undo on the output).
 */
export function toSopranoRegister(line: readonly number[]): { line: number[]; shift: number } {
  const sounding = line.filter((m) => m !== REST).sort((a, b) => a - b);
  if (sounding.length === 0) return { line: [...line], shift: 0 };
  const median = sounding[Math.floor(sounding.length / 2)]!;
  const shift = 12 * Math.round((SOPRANO_CENTER - median) / 12);
  return { line: line.map((m) => (m === REST ? REST : fitPitch(m + shift, 'fold')!)), shift };
}

/** Runs of one pitch in a voice line → notes on `trackId`, starting at score step `fromStep`. */
export function lineToNotes(line: readonly number[], trackId: TrackId, fromStep: number, velocity: number, transpose = 0): NoteData[] {
  const out: NoteData[] = [];
  let start = 0;
  for (let t = 1; t <= line.length; t++) {
    const prev = line[t - 1]!;
    if (t < line.length && line[t] === prev) continue;
    const pitch = prev + transpose;
    if (prev !== REST && pitch >= 0 && pitch <= 127)
      out.push({ trackId, pitch, start: stepToTick(fromStep + start), duration: stepToTick(t - start), velocity });
    start = t;
  }
  return out;
}

export function inWindow(m: number): boolean {
  return m >= PITCH_LOW && m <= PITCH_HIGH;
}

/** First and last step at which the line sounds ([0, -1] when it never does). */
export function soundingSpan(line: readonly number[]): [number, number] {
  let first = -1;
  let last = -1;
  line.forEach((m, t) => {
    if (m === REST) return;
    if (first < 0) first = t;
    last = t;
  });
  return first < 0 ? [0, -1] : [first, last];
}

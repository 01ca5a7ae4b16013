// Between the shared score (notes in ticks at 480 PPQ, any number of tracks) and the models'
// grids (16th-note steps). Onsets and ends snap to the nearest 16th (a note never shrinks to zero
// steps); pitches outside the model's window are folded by octaves into it or dropped. Going back,
// consecutive steps of one pitch in one track become one held note — the grids, like the JSB data,
// do not distinguish a held note from a repeated one.
import { PPQ, type NoteData, type Score, type TrackId } from '../../lib/score';
import { PITCH_HIGH, PITCH_LOW, REST, type Chorale } from './jsb';
import { createRoll, getCell, rollIndex, type Roll } from './pianoroll';

/** Ticks per 16th-note step (120 at 480 PPQ). */
export const TICKS_PER_STEP = PPQ / 4;

export type OutOfRange = 'fold' | 'drop';

export interface GridOptions {
  /** First step of the excerpt (default 0). */
  fromStep?: number;
  /** Number of steps (default: up to the end of the last note). */
  steps?: number;
  /** Pitches outside PITCH_LOW..PITCH_HIGH: shift by octaves into the window (default) or ignore. */
  outOfRange?: OutOfRange;
}

export function tickToStep(tick: number): number {
  return Math.round(tick / TICKS_PER_STEP);
}

export function stepToTick(step: number): number {
  return step * TICKS_PER_STEP;
}

/** Quantised [startStep, endStep) of a note; at least one step long. */
export function quantizeNote(n: { start: number; duration: number }): [number, number] {
  const s = tickToStep(n.start);
  return [s, Math.max(s + 1, tickToStep(n.start + n.duration))];
}

export function fitPitch(p: number, mode: OutOfRange = 'fold'): number | null {
  if (p >= PITCH_LOW && p <= PITCH_HIGH) return p;
  if (mode === 'drop') return null;
  let q = p;
  while (q < PITCH_LOW) q += 12;
  while (q > PITCH_HIGH) q -= 12;
  return q;
}

function extent(score: Score, trackIds: readonly TrackId[], opts: GridOptions): [number, number] {
  const from = opts.fromStep ?? 0;
  if (opts.steps !== undefined) return [from, opts.steps];
  let end = from;
  for (const n of score.notes) if (trackIds.includes(n.trackId)) end = Math.max(end, quantizeNote(n)[1]);
  return [from, end - from];
}

/** One roll track per listed score track, in that order. */
export function scoreToRoll(score: Score, trackIds: readonly TrackId[], opts: GridOptions = {}): Roll {
  const [from, steps] = extent(score, trackIds, opts);
  const roll = createRoll(steps, trackIds.length);
  for (const n of score.notes) {
    const k = trackIds.indexOf(n.trackId);
    if (k < 0) continue;
    const p = fitPitch(n.pitch, opts.outOfRange);
    if (p === null) continue;
    const [s, e] = quantizeNote(n);
    for (let t = Math.max(s, from); t < Math.min(e, from + steps); t++) roll.data[rollIndex(roll, t - from, p - PITCH_LOW, k)] = 1;
  }
  return roll;
}

/**
 * One pitch per voice per step from four (or any number of) monophonic tracks. Where a track has
 * two notes sounding at once, the one that started last wins (ties: the higher pitch).
 */
export function scoreToChorale(score: Score, voiceTrackIds: readonly TrackId[], opts: GridOptions = {}): Chorale {
  const [from, steps] = extent(score, voiceTrackIds, opts);
  const ch: Chorale = Array.from({ length: steps }, () => voiceTrackIds.map(() => REST));
  const onset: number[][] = Array.from({ length: steps }, () => voiceTrackIds.map(() => -Infinity));
  for (const n of score.notes) {
    const k = voiceTrackIds.indexOf(n.trackId);
    if (k < 0) continue;
    const p = fitPitch(n.pitch, opts.outOfRange);
    if (p === null) continue;
    const [s, e] = quantizeNote(n);
    for (let t = Math.max(s, from); t < Math.min(e, from + steps); t++) {
      const row = ch[t - from]!;
      const o = onset[t - from]!;
      if (s > o[k]! || (s === o[k]! && p > row[k]!)) {
        row[k] = p;
        o[k] = s;
      }
    }
  }
  return ch;
}

export interface NoteOptions {
  /** Step of the grid's first row in the score (default 0). */
  fromStep?: number;
  velocity?: number;
  /** Roll cells above this are notes (default 0.5). */
  threshold?: number;
}

/** Runs of one pitch in one track → notes (track k of the roll goes to trackIds[k]). */
export function rollToNotes(roll: Roll, trackIds: readonly TrackId[], opts: NoteOptions = {}): NoteData[] {
  if (trackIds.length !== roll.tracks) throw new Error(`roll has ${roll.tracks} tracks but ${trackIds.length} track ids were given`);
  const from = opts.fromStep ?? 0;
  const velocity = opts.velocity ?? 90;
  const threshold = opts.threshold ?? 0.5;
  const out: NoteData[] = [];
  for (let k = 0; k < roll.tracks; k++)
    for (let p = 0; p < roll.pitches; p++) {
      let start = -1;
      for (let t = 0; t <= roll.steps; t++) {
        const on = t < roll.steps && getCell(roll, t, p, k) > threshold;
        if (on && start < 0) start = t;
        if (!on && start >= 0) {
          out.push({ trackId: trackIds[k]!, pitch: p + PITCH_LOW, start: stepToTick(from + start), duration: stepToTick(t - start), velocity });
          start = -1;
        }
      }
    }
  return out.sort((a, b) => a.start - b.start || b.pitch - a.pitch);
}

/** Runs of one pitch in one voice → notes (voice k goes to trackIds[k]). */
export function choraleToNotes(ch: Chorale, trackIds: readonly TrackId[], opts: Omit<NoteOptions, 'threshold'> = {}): NoteData[] {
  const from = opts.fromStep ?? 0;
  const velocity = opts.velocity ?? 90;
  const out: NoteData[] = [];
  trackIds.forEach((trackId, k) => {
    let start = 0;
    for (let t = 1; t <= ch.length; t++) {
      const prev = ch[t - 1]![k]!;
      if (t < ch.length && ch[t]![k] === prev) continue;
      if (prev !== REST) out.push({ trackId, pitch: prev, start: stepToTick(from + start), duration: stepToTick(t - start), velocity });
      start = t;
    }
  });
  return out.sort((a, b) => a.start - b.start || b.pitch - a.pitch);
}

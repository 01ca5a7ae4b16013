// Training windows: fixed-length excerpts of 2, 4 or 8 bars cut from chorales at beat boundaries,
// optionally transposed by a random interval chosen so that every note stays inside the
// corpus pitch window (a chorale already near the top of the range is only transposed down).
import type { Rng } from '../runtime/rng';
import { PITCH_HIGH, PITCH_LOW, REST, STEPS_PER_BAR, type Chorale } from './jsb';

export const WINDOW_BARS = [2, 4, 8] as const;
export type WindowBars = (typeof WINDOW_BARS)[number];

export interface ChoraleWindow {
  /** bars × 16 steps of [S,A,T,B]. */
  chorale: Chorale;
  /** Index of the source chorale in the list it was cut from. */
  index: number;
  /** First step of the window in the source chorale. */
  start: number;
  /** Semitones added to every pitch. */
  transpose: number;
}

export interface WindowOptions {
  /** Largest |transposition| in semitones (0 = none; default 6, i.e. every key once). */
  maxTranspose?: number;
  /** Window starts fall on multiples of this many steps (default 4 = every beat). */
  align?: number;
}

function checkBars(bars: number): void {
  if (!(WINDOW_BARS as readonly number[]).includes(bars)) throw new Error(`window length must be 2, 4 or 8 bars (got ${bars})`);
}

/** Lowest and highest sounding pitch, or null for an all-rest excerpt. */
export function pitchExtent(ch: Chorale): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const step of ch)
    for (const p of step)
      if (p !== REST) {
        if (p < lo) lo = p;
        if (p > hi) hi = p;
      }
  return lo === Infinity ? null : [lo, hi];
}

/** Transpositions [min, max] that keep every note of `ch` inside PITCH_LOW..PITCH_HIGH. */
export function transpositionRange(ch: Chorale, low = PITCH_LOW, high = PITCH_HIGH): [number, number] {
  const ext = pitchExtent(ch);
  if (!ext) return [-Infinity, Infinity];
  return [low - ext[0], high - ext[1]];
}

export function transposeChorale(ch: Chorale, semitones: number): Chorale {
  return ch.map((step) => step.map((p) => (p === REST ? REST : p + semitones)));
}

/** Start steps of every full window (length bars·16) at `align`-step boundaries. */
export function windowStarts(ch: Chorale, bars: number, align = 4): number[] {
  checkBars(bars);
  const len = bars * STEPS_PER_BAR;
  const out: number[] = [];
  for (let s = 0; s + len <= ch.length; s += align) out.push(s);
  return out;
}

/**
 * One random window: chorales are chosen in proportion to how many windows they hold (so every
 * excerpt is equally likely), then a start and a transposition that stays in range.
 * Chorales shorter than the window are never chosen.
 */
export function sampleWindow(chorales: readonly Chorale[], bars: number, rng: Rng, opts: WindowOptions = {}): ChoraleWindow {
  return sampleWindows(chorales, bars, 1, rng, opts)[0]!;
}

export function sampleWindows(chorales: readonly Chorale[], bars: number, count: number, rng: Rng, opts: WindowOptions = {}): ChoraleWindow[] {
  checkBars(bars);
  const align = opts.align ?? 4;
  const maxT = opts.maxTranspose ?? 6;
  const len = bars * STEPS_PER_BAR;
  const counts = chorales.map((ch) => (ch.length >= len ? Math.floor((ch.length - len) / align) + 1 : 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error(`no chorale is long enough for a ${bars}-bar window`);
  const out: ChoraleWindow[] = [];
  for (let n = 0; n < count; n++) {
    let k = rng.int(total);
    let index = 0;
    while (k >= counts[index]!) k -= counts[index++]!;
    const start = k * align;
    const excerpt = chorales[index]!.slice(start, start + len);
    const [lo, hi] = transpositionRange(excerpt);
    const a = Math.max(-maxT, lo);
    const b = Math.min(maxT, hi);
    const transpose = b >= a ? a + rng.int(b - a + 1) : 0;
    out.push({ chorale: transpose === 0 ? excerpt.map((s) => s.slice()) : transposeChorale(excerpt, transpose), index, start, transpose });
  }
  return out;
}

/** Every window (no transposition), e.g. for a deterministic validation pass. */
export function allWindows(chorales: readonly Chorale[], bars: number, hop = bars * STEPS_PER_BAR): ChoraleWindow[] {
  checkBars(bars);
  const len = bars * STEPS_PER_BAR;
  const out: ChoraleWindow[] = [];
  chorales.forEach((ch, index) => {
    for (let start = 0; start + len <= ch.length; start += hop) out.push({ chorale: ch.slice(start, start + len).map((s) => s.slice()), index, start, transpose: 0 });
  });
  return out;
}

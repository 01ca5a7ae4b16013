// The time and pitch grid every model's convert.ts maps the shared score onto: notes in ticks at
// 480 PPQ ↔ 16th-note steps, and the JSB pitch window. Onsets and ends snap to the nearest 16th
// (a note never shrinks to zero steps); pitches outside the window are folded by octaves into it
// or dropped.
import { PPQ } from '../../lib/score';
import { PITCH_HIGH, PITCH_LOW } from './jsb';

/** Ticks per 16th-note step (120 at 480 PPQ). */
export const TICKS_PER_STEP = PPQ / 4;

/** Pitches outside PITCH_LOW..PITCH_HIGH: shift by octaves into the window, or ignore. */
export type OutOfRange = 'fold' | 'drop';

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

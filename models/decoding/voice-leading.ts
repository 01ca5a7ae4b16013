// "Strict voice leading" (issue 12): a decoding constraint on a model's own distribution, as in
// DeepBach's constrained sampling. At sampling time a candidate pitch for a voice is masked when,
// together with a neighbouring step that is already decided, it would make a parallel perfect
// fifth or octave/unison with another decided voice (or the melody); the model's probabilities of
// the remaining candidates are renormalised. No rule ever picks a note: the model does, among the
// pitches it already proposes. The definition of a parallel is the metric's (../metrics/harmony),
// so a constrained sampler cannot make a parallel the eval would count.
import { REST } from '../data/jsb';
import { isParallel } from '../metrics/harmony';

export { isParallel };

/** A decided voice across two consecutive steps: its pitch at the earlier and the later step. */
export interface Motion {
  prev: number;
  cur: number;
}

/**
 * Would this voice moving `prev → pitch` form a parallel fifth/octave with any decided voice's
 * motion over the same two steps? (REST anywhere = no parallel.)
 */
export function formsParallel(prev: number, pitch: number, others: readonly Motion[]): boolean {
  if (prev === REST || pitch === REST || prev === pitch) return false;
  for (const o of others) if (isParallel(prev, pitch, o.prev, o.cur)) return true;
  return false;
}

/**
 * Candidates that survive the constraint when a voice's pitch at step t is chosen with both
 * neighbouring steps possibly decided (Gibbs / iterative rewriting): `before` are the other
 * voices' motions t−1 → t (with this voice's own pitch `selfBefore` at t−1), `after` the motions
 * t → t+1 (with this voice's pitch `selfAfter` at t+1). Unknown neighbours are REST.
 */
export function allowedAtStep(pitch: number, selfBefore: number, before: readonly Motion[], selfAfter: number, after: readonly Motion[]): boolean {
  if (formsParallel(selfBefore, pitch, before)) return false;
  // Across t → t+1 this voice moves pitch → selfAfter, the others cur → next.
  if (formsParallel(pitch, selfAfter, after)) return false;
  return true;
}

/**
 * Applies the constraint to one categorical distribution (probabilities or unnormalised weights,
 * one per candidate): weights of masked candidates become 0 and the rest are renormalised to sum
 * to 1. `pitchOf(k)` maps a candidate index to a MIDI pitch (or REST). If the constraint would
 * mask every candidate with weight, the distribution is returned unchanged (normalised): the
 * model's choice wins over an impossible constraint rather than producing silence.
 * Returns the number of candidates masked (0 when the fallback applied).
 */
export function maskParallels(weights: Float64Array | number[], pitchOf: (k: number) => number, prev: number, others: readonly Motion[]): number {
  const n = weights.length;
  let kept = 0;
  let total = 0;
  const masked: number[] = [];
  for (let k = 0; k < n; k++) {
    if (weights[k]! <= 0) continue;
    if (formsParallel(prev, pitchOf(k), others)) masked.push(k);
    else ((kept += weights[k]!), (total += weights[k]!));
  }
  if (kept <= 0) {
    let all = 0;
    for (let k = 0; k < n; k++) all += Math.max(0, weights[k]!);
    if (all > 0) for (let k = 0; k < n; k++) weights[k] = Math.max(0, weights[k]!) / all;
    return 0;
  }
  for (const k of masked) weights[k] = 0;
  for (let k = 0; k < n; k++) weights[k] = Math.max(0, weights[k]!) / total;
  return masked.length;
}

/**
 * The moves a chain decoder (Viterbi, forward-filtering backward-sampling) may not make into one
 * step: for each candidate class k, the classes j from which moving to k would form a parallel
 * with one of `others` (the melody and the voices already decoded, over the same two steps).
 * Null when nothing is forbidden. Cost O(n · |others|) plus O(n) per perfect-interval candidate.
 */
export function forbiddenMoves(others: readonly Motion[], pitchOf: (k: number) => number, n: number): Map<number, number[]> | null {
  const moving = others.filter((o) => o.prev !== REST && o.cur !== REST && o.prev !== o.cur);
  if (moving.length === 0) return null;
  let out: Map<number, number[]> | null = null;
  for (let k = 0; k < n; k++) {
    const p = pitchOf(k);
    if (p === REST) continue;
    for (const o of moving) {
      const ic = Math.abs(p - o.cur) % 12;
      if (ic !== 0 && ic !== 7) continue;
      for (let j = 0; j < n; j++) {
        if (j === k || !formsParallel(pitchOf(j), p, [o])) continue;
        out ??= new Map();
        const list = out.get(k) ?? [];
        if (!list.includes(j)) list.push(j);
        out.set(k, list);
      }
    }
  }
  return out;
}

/** Counts parallels in a finished set of lines ([voice][step]); the constraint's invariant check. */
export function countParallels(lines: readonly (readonly number[])[]): number {
  let n = 0;
  const steps = Math.min(...lines.map((l) => l.length));
  for (let t = 1; t < steps; t++)
    for (let i = 0; i < lines.length; i++)
      for (let j = i + 1; j < lines.length; j++) if (isParallel(lines[i]![t - 1]!, lines[i]![t]!, lines[j]![t - 1]!, lines[j]![t]!)) n++;
  return n;
}

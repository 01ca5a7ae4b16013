// Honest baselines for the NLL figures (issue 12), counted on train, smoothing chosen on valid:
//  - infill: copy the nearest visible step of the same voice (the pitch a voice most likely keeps),
//    mixed with ε spread over the other pitches of the window;
//  - harmonisation (soprano given, alto/tenor/bass hidden): a lookup table p(voice pitch | voice,
//    soprano pitch), interpolated with the voice's own pitch frequencies by a pseudo-count α.
// Both score NLL in nats per hidden sounding voice-step over the window PITCH_LOW..PITCH_HIGH, the
// same unit as the models' masked NLL. Pure: chorales in, numbers out.
import { NUM_PITCHES, PITCH_LOW, REST, type Chorale } from '../data/jsb';
import { createRng } from '../runtime/rng';

/** A hidden voice-step: chorale index, step, voice (1–3 = A/T/B) and Bach's MIDI pitch there. */
export interface HiddenCell {
  piece: number;
  t: number;
  v: number;
  pitch: number;
}

/**
 * Which A/T/B voice-steps an infill eval hides: each sounding one with probability `share`, from
 * a seeded stream (share 1 = every one: soprano-only harmonisation). The AR-CNN eval hides with
 * this function too, so the baselines and the network are scored on the same cells.
 */
export function hideVoiceSteps(chorales: readonly Chorale[], share: number, seed: number): HiddenCell[][] {
  const rng = createRng(seed);
  return chorales.map((ch, piece) => {
    const out: HiddenCell[] = [];
    for (let t = 0; t < ch.length; t++)
      for (let v = 1; v < 4; v++) {
        const m = ch[t]![v]!;
        if (m < 0 || rng.next() >= share) continue;
        out.push({ piece, t, v, pitch: m });
      }
    return out;
  });
}

/**
 * Nearest-step copy: NLL of the hidden cells when each is predicted as the pitch its voice sounds
 * at the nearest visible step before and after it (weighted 1/distance, so the nearer one counts
 * more; one side when the other has none), with probability 1 − ε, and ε spread over the pitches
 * by the voice's own frequencies (`marginal`, e.g. from fitSopranoLookup; uniform if omitted).
 */
export function nearestCopyNll(chorales: readonly Chorale[], hidden: readonly HiddenCell[][], eps: number, marginal?: number[][]): number {
  let sum = 0;
  let n = 0;
  chorales.forEach((ch, i) => {
    const isHidden = new Set(hidden[i]!.map((c) => c.t * 4 + c.v));
    const visible = (t: number, v: number): number => (!isHidden.has(t * 4 + v) ? ch[t]![v]! : REST);
    for (const c of hidden[i]!) {
      let hit = 0;
      let weight = 0;
      for (const dir of [-1, 1]) {
        for (let t = c.t + dir; t >= 0 && t < ch.length; t += dir) {
          const m = visible(t, c.v);
          if (m === REST) continue;
          const w = 1 / Math.abs(t - c.t);
          weight += w;
          if (m === c.pitch) hit += w;
          break;
        }
      }
      const back = marginal ? marginal[c.v]![c.pitch - PITCH_LOW]! : 1 / NUM_PITCHES;
      const p = weight === 0 ? back : (1 - eps) * (hit / weight) + eps * back;
      sum -= Math.log(p);
      n++;
    }
  });
  return n === 0 ? NaN : sum / n;
}

/** Per voice (0–3) and soprano pitch, counts of each voice pitch on the training chorales. */
export interface SopranoLookup {
  /** counts[v][sopranoIndex + 1][pitchIndex]; sopranoIndex −1 = soprano resting. */
  counts: number[][][];
  /** Per-voice pitch frequencies (add-one smoothed), the back-off distribution. */
  marginal: number[][];
}

export function fitSopranoLookup(train: readonly Chorale[]): SopranoLookup {
  const counts = Array.from({ length: 4 }, () => Array.from({ length: NUM_PITCHES + 1 }, () => new Array<number>(NUM_PITCHES).fill(0)));
  const marg = Array.from({ length: 4 }, () => new Array<number>(NUM_PITCHES).fill(1));
  for (const ch of train)
    for (const step of ch) {
      const s = step[0]! === REST ? -1 : step[0]! - PITCH_LOW;
      for (let v = 1; v < 4; v++) {
        const m = step[v]!;
        if (m === REST) continue;
        counts[v]![s + 1]![m - PITCH_LOW]!++;
        marg[v]![m - PITCH_LOW]!++;
      }
    }
  const marginal = marg.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((x) => x / total);
  });
  return { counts, marginal };
}

/** p(pitch | voice, soprano) = (count + α · marginal) / (total + α). */
export function lookupProb(table: SopranoLookup, v: number, soprano: number, pitch: number, alpha: number): number {
  const row = table.counts[v]![soprano === REST ? 0 : soprano - PITCH_LOW + 1]!;
  const total = row.reduce((a, b) => a + b, 0);
  return (row[pitch - PITCH_LOW]! + alpha * table.marginal[v]![pitch - PITCH_LOW]!) / (total + alpha);
}

/** Mean NLL of the hidden cells under the lookup table (soprano pitch at the same step as context). */
export function lookupNll(table: SopranoLookup, chorales: readonly Chorale[], hidden: readonly HiddenCell[][], alpha: number): number {
  let sum = 0;
  let n = 0;
  hidden.forEach((cells, i) => {
    for (const c of cells) {
      sum -= Math.log(lookupProb(table, c.v, chorales[i]![c.t]![0]!, c.pitch, alpha));
      n++;
    }
  });
  return n === 0 ? NaN : sum / n;
}

export const COPY_EPS_GRID = [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5];
export const LOOKUP_ALPHA_GRID = [0.01, 0.1, 0.3, 1, 3, 10, 30, 100, 300];

/** The grid value with the lowest `score` (the smoothing chosen on valid). */
export function choose(grid: readonly number[], score: (x: number) => number): { value: number; score: number } {
  let best = { value: grid[0]!, score: Infinity };
  for (const x of grid) {
    const s = score(x);
    if (s < best.score) best = { value: x, score: s };
  }
  return best;
}

export interface BaselineFigures {
  /** Infill (share of A/T/B hidden), nearest-step copy, ε chosen on valid. */
  copy_infill_nll: number;
  copy_eps: number;
  /** Soprano-only harmonisation (every A/T/B step hidden), lookup table, α chosen on valid. */
  lookup_harmonization_nll: number;
  lookup_alpha: number;
}

/**
 * Both baselines on `split` (train for counts, valid for smoothing): infill hides `share` of the
 * A/T/B voice-steps with `seed` (as the AR-CNN eval does); harmonisation hides them all.
 */
export function baselineFigures(data: { train: readonly Chorale[]; valid: readonly Chorale[] }, split: readonly Chorale[], share: number, seed: number): BaselineFigures {
  const table = fitSopranoLookup(data.train);
  const validHidden = hideVoiceSteps(data.valid, share, seed);
  const eps = choose(COPY_EPS_GRID, (e) => nearestCopyNll(data.valid, validHidden, e, table.marginal)).value;
  const validAll = hideVoiceSteps(data.valid, 1, seed);
  const alpha = choose(LOOKUP_ALPHA_GRID, (a) => lookupNll(table, data.valid, validAll, a)).value;
  return {
    copy_infill_nll: nearestCopyNll(split, hideVoiceSteps(split, share, seed), eps, table.marginal),
    copy_eps: eps,
    lookup_harmonization_nll: lookupNll(table, split, hideVoiceSteps(split, 1, seed), alpha),
    lookup_alpha: alpha,
  };
}

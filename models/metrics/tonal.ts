// Harmony metrics: tonal distance between tracks (Harte, Sandler & Gasser 2006, as used by MuseGAN)
// and in-key ratio with a Krumhansl–Kessler key estimate. Input types as in ./music.ts.
import { PITCH_LOW, STEPS_PER_BAR } from '../data/jsb';
import type { RollGeometry, TrackRoll } from './music';

const on = (v: number | undefined): boolean => (v ?? 0) > 0.5;

/** Duration-weighted pitch-class histogram (12 bins, C = 0). */
export function chroma(rows: TrackRoll, pitchLow = PITCH_LOW): number[] {
  const c = new Array<number>(12).fill(0);
  for (const r of rows) for (let p = 0; p < r.length; p++) if (on(r[p])) c[(((p + pitchLow) % 12) + 12) % 12]! += 1;
  return c;
}

/**
 * Harte's 6-D tonal centroid: the chroma (L1-normalised) projected onto the circle of fifths
 * (r=1), minor thirds (r=1) and major thirds (r=0.5). Null for an empty chroma.
 */
export function tonalCentroid(c: readonly number[]): number[] | null {
  const total = c.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const z = new Array<number>(6).fill(0);
  for (let l = 0; l < 12; l++) {
    const w = c[l]! / total;
    if (w === 0) continue;
    z[0]! += w * Math.sin((l * 7 * Math.PI) / 6);
    z[1]! += w * Math.cos((l * 7 * Math.PI) / 6);
    z[2]! += w * Math.sin((l * 3 * Math.PI) / 2);
    z[3]! += w * Math.cos((l * 3 * Math.PI) / 2);
    z[4]! += 0.5 * w * Math.sin((l * 2 * Math.PI) / 3);
    z[5]! += 0.5 * w * Math.cos((l * 2 * Math.PI) / 3);
  }
  return z;
}

/**
 * TD between two tracks: Euclidean distance of their per-bar tonal centroids, averaged over the
 * bars where both tracks sound (NaN if there is none). Lower = more harmonically related.
 */
export function tonalDistance(a: TrackRoll, b: TrackRoll, opts: RollGeometry = {}): number {
  const spb = opts.stepsPerBar ?? STEPS_PER_BAR;
  const low = opts.pitchLow ?? PITCH_LOW;
  let sum = 0;
  let n = 0;
  for (let s = 0; s + spb <= Math.min(a.length, b.length); s += spb) {
    const za = tonalCentroid(chroma(a.slice(s, s + spb), low));
    const zb = tonalCentroid(chroma(b.slice(s, s + spb), low));
    if (!za || !zb) continue;
    sum += Math.hypot(...za.map((v, i) => v - zb[i]!));
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

/** Mean TD over all pairs of tracks. */
export function meanPairwiseTonalDistance(tracks: readonly TrackRoll[], opts: RollGeometry = {}): number {
  const vals: number[] = [];
  for (let i = 0; i < tracks.length; i++)
    for (let j = i + 1; j < tracks.length; j++) {
      const d = tonalDistance(tracks[i]!, tracks[j]!, opts);
      if (!Number.isNaN(d)) vals.push(d);
    }
  return vals.length === 0 ? NaN : vals.reduce((x, y) => x + y, 0) / vals.length;
}

export interface Key {
  tonic: number; // pitch class, C = 0
  mode: 'major' | 'minor';
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
// Natural minor plus the raised 7th (leading tone), which Bach's minor-key chorales use throughout.
const MINOR = [0, 2, 3, 5, 7, 8, 10, 11];
const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

export function scalePitchClasses(key: Key): Set<number> {
  return new Set((key.mode === 'major' ? MAJOR : MINOR).map((d) => (key.tonic + d) % 12));
}

function correlation(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Krumhansl–Schmuckler: the key whose profile best correlates with the duration-weighted chroma. */
export function estimateKey(tracks: readonly TrackRoll[], pitchLow = PITCH_LOW): Key {
  const c = new Array<number>(12).fill(0);
  for (const t of tracks) chroma(t, pitchLow).forEach((v, i) => (c[i]! += v));
  return keyFromChroma(c);
}

/** The Krumhansl–Schmuckler key of a 12-bin pitch-class histogram (C = 0). */
export function keyFromChroma(c: readonly number[]): Key {
  let best: Key = { tonic: 0, mode: 'major' };
  let bestR = -Infinity;
  for (let tonic = 0; tonic < 12; tonic++)
    for (const [mode, prof] of [['major', KK_MAJOR], ['minor', KK_MINOR]] as const) {
      const rotated = c.map((_, i) => c[(i + tonic) % 12]!);
      const r = correlation(rotated, prof);
      if (r > bestR) {
        bestR = r;
        best = { tonic, mode };
      }
    }
  return best;
}

/** Fraction of sounding cells whose pitch class is in `key`'s scale (estimated when omitted). */
export function inKeyRatio(tracks: readonly TrackRoll[], key?: Key, pitchLow = PITCH_LOW): number {
  const k = key ?? estimateKey(tracks, pitchLow);
  const scale = scalePitchClasses(k);
  let inside = 0;
  let total = 0;
  for (const t of tracks)
    chroma(t, pitchLow).forEach((v, pc) => {
      total += v;
      if (scale.has(pc)) inside += v;
    });
  return total === 0 ? NaN : inside / total;
}

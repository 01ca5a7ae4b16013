// The shared harmony eval step (issue 12): a model's harmonisations of every melody of a JSB split
// (seeds 1–3, default knobs), measured with ./harmony next to Bach's own chorales of the same split,
// once with strict voice leading on (the default) and once off. Every model's eval calls this with
// its own harmonize function, so all three report the same keys computed the same way.
import { loadJsb, type JsbSplit } from '../data/jsb';
import { addHarmonyCounts, choraleHarmonyInput, emptyHarmonyCounts, HARMONY_KEYS, HARMONY_TARGETS, harmonyCounts, harmonyFigures, type HarmonyCounts, type HarmonyFigures } from './harmony';

export interface HarmonizeOptions {
  seed: number;
  /** Index of the melody in the split (a model may fold it into its seed). */
  piece: number;
  strictVoiceLeading: boolean;
}
/** Melody (MIDI or REST per 16th step) → [alto, tenor, bass], each as long as the melody. */
export type HarmonizeFn = (melody: number[], opts: HarmonizeOptions) => Promise<number[][]> | number[][];

export interface HarmonyEvalOptions {
  split: JsbSplit;
  seeds?: number[];
  /** Only the first `limit` melodies (knob sweeps on valid); undefined = all. */
  limit?: number;
  /** Also run with strict voice leading off (default true). */
  unconstrained?: boolean;
  /** Only the constrained run ('on'), only the unconstrained one ('off'), or both (default; `unconstrained: false` = 'on'). */
  constraint?: 'both' | 'on' | 'off';
  onProgress?: (done: number, total: number) => void;
}

export interface HarmonyReport {
  split: JsbSplit;
  melodies: number;
  seeds: number[];
  /** Strict voice leading on (the default decoding); NaN figures when only the 'off' run was made. */
  model: HarmonyFigures;
  /** Per seed, constraint on. */
  perSeed: HarmonyFigures[];
  unconstrained: HarmonyFigures | null;
  bach: HarmonyFigures;
  /** The pooled tallies behind the figures (so runs over disjoint seeds can be merged: ./merge-harmony). */
  counts: { model: HarmonyCounts | null; unconstrained: HarmonyCounts | null; bach: HarmonyCounts };
}

export async function evaluateHarmony(harmonize: HarmonizeFn, opts: HarmonyEvalOptions): Promise<HarmonyReport> {
  const seeds = opts.seeds ?? [1, 2, 3];
  const pieces = loadJsb()[opts.split].slice(0, opts.limit ?? Infinity);
  const constraint = opts.constraint ?? (opts.unconstrained === false ? 'on' : 'both');
  const modes = constraint === 'both' ? [true, false] : [constraint === 'on'];
  const total = pieces.length * seeds.length * modes.length;
  let done = 0;
  let bach = emptyHarmonyCounts();
  for (const ch of pieces) bach = addHarmonyCounts(bach, harmonyCounts(choraleHarmonyInput(ch)));
  const pooled = new Map<boolean, HarmonyCounts>();
  const perSeed: HarmonyFigures[] = [];
  for (const strict of modes) {
    let all = emptyHarmonyCounts();
    for (const seed of seeds) {
      let one = emptyHarmonyCounts();
      for (let i = 0; i < pieces.length; i++) {
        const melody = pieces[i]!.map((s) => s[0]!);
        const voices = await harmonize(melody, { seed, piece: i, strictVoiceLeading: strict });
        one = addHarmonyCounts(one, harmonyCounts({ melody, voices }));
        opts.onProgress?.(++done, total);
      }
      if (strict) perSeed.push(harmonyFigures(one));
      all = addHarmonyCounts(all, one);
    }
    pooled.set(strict, all);
  }
  return {
    split: opts.split,
    melodies: pieces.length,
    seeds,
    model: harmonyFigures(pooled.get(true) ?? emptyHarmonyCounts()),
    perSeed,
    unconstrained: pooled.has(false) ? harmonyFigures(pooled.get(false)!) : null,
    bach: harmonyFigures(bach),
    counts: { model: pooled.get(true) ?? null, unconstrained: pooled.get(false) ?? null, bach },
  };
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Parses `--constraint on|off|both` (and the older `--strict false` = on only). */
export function constraintFlag(flags: Record<string, string | true>): 'both' | 'on' | 'off' {
  const c = flags.constraint;
  if (c === 'on' || c === 'off' || c === 'both') return c;
  if (c !== undefined) throw new Error('--constraint needs on, off or both');
  return flags.strict === 'false' ? 'on' : 'both';
}

/** Parses `--seeds 1,2,3` (default 1–3). */
export function seedsFlag(v: string | true | undefined): number[] {
  if (v === undefined) return [1, 2, 3];
  const seeds = String(v).split(',').map(Number);
  if (v === true || seeds.some((x) => !Number.isInteger(x))) throw new Error('--seeds needs comma-separated integers, e.g. 1,2,3');
  return seeds;
}

/** Which targets of issue 12 the (constrained) figures meet. */
export function targetsMet(f: HarmonyFigures): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [k, t] of Object.entries(HARMONY_TARGETS)) {
    const v = f[k as keyof HarmonyFigures];
    out[k] = (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max);
  }
  return out;
}

/**
 * Flat JSON keys of issue 12: every figure, its `bach_` twin, `parallels_per_bar_unconstrained`,
 * and the other figures with the constraint off as `unconstrained_<key>`.
 */
export function harmonyJson(r: HarmonyReport): Record<string, unknown> {
  const out: Record<string, unknown> = { harmony_split: r.split, harmony_melodies: r.melodies, harmony_seeds: r.seeds };
  for (const k of HARMONY_KEYS) {
    out[k] = r4(r.model[k]);
    out[`bach_${k}`] = r4(r.bach[k]);
  }
  if (r.unconstrained) {
    out.parallels_per_bar_unconstrained = r4(r.unconstrained.parallels_per_bar);
    for (const k of HARMONY_KEYS) if (k !== 'parallels_per_bar') out[`unconstrained_${k}`] = r4(r.unconstrained[k]);
  }
  out.harmony_per_seed = r.perSeed.map((f) => Object.fromEntries(HARMONY_KEYS.map((k) => [k, r4(f[k])])));
  out.harmony_targets_met = targetsMet(r.model);
  out.harmony_counts = r.counts;
  return out;
}

/** A readable table (model, constraint off, Bach) for the non-JSON eval output. */
export function harmonyTable(r: HarmonyReport, name: string): string {
  const cols = [name, ...(r.unconstrained ? [`${name} (no constraint)`] : []), 'Bach'];
  const rows = [r.model, ...(r.unconstrained ? [r.unconstrained] : []), r.bach];
  const lines = [`harmony on ${r.melodies} ${r.split} melodies, seeds ${r.seeds.join(',')}`, ''.padEnd(20) + cols.map((c) => c.padStart(24)).join('')];
  for (const k of HARMONY_KEYS) lines.push(k.padEnd(20) + rows.map((f) => f[k].toFixed(4).padStart(24)).join(''));
  return lines.join('\n');
}

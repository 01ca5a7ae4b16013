// `npm run eval -- gan [--json] [--seed S] [--weights DIR] [--split valid] [--limit N]
// [--temperature T] [--smoothing P] [--constraint on|off|both] [--seeds 1,2,3] [--harmony-only]
// [--pre-adversarial DIR | --no-pre-adversarial]`: accompaniments for every melody (soprano) of the
// JSB test split, generated in one pass per chorale by the committed generator, scored with the
// same metrics as the real test chorales: EB / UPC / QN per voice, TD melody ↔ each voice and
// between voices, in-key ratio, distinct note lengths per voice. Also measures the seams that
// stitching independent 4-bar chunks would leave, against our one-pass scheme. Then the issue-12
// harmony figures (../metrics/harmony-eval): seeds 1–3, default knobs, strict voice leading on and
// off, next to Bach's chorales of the same split. The same figures for the generator as it was
// before the adversarial phase (`<weights>/pretrained`, likelihood pre-training only; decoded with
// the committed generator's knobs) are reported under `pre_adversarial_*`, so what the adversarial
// phase changes is measured. --split valid (and the knob flags) are for choosing defaults; the test
// split gives final figures only. (No MuseGAN figure: its published numbers are for Lakh pianorolls
// at another resolution, not like for like.)
import path from 'node:path';
import { loadJsb, REST, type Chorale } from '../data/jsb';
import { constraintFlag, evaluateHarmony, harmonyJson, harmonyTable, seedsFlag } from '../metrics/harmony-eval';
import { initRuntime } from '../runtime/index';
import type { GanConfig } from './config';
import type { Params } from './network';
import { addChordMisses, chordMissShares, emptyChordMisses } from './chord-misses';
import { chorusQuality, type Quality } from './quality';
import { accompanyLines } from './sampler';
import { weightsExist } from '../runtime/io';
import { disposeParams, loadWeights, PRETRAINED_DIR, WEIGHTS_DIR } from './weights';

export const TARGETS = { QN: 5, EB: 5, UPC: 0.5 } as const;

function withVoices(ch: Chorale, voices: number[][]): Chorale {
  return ch.map((s, t) => [s[0]!, voices[0]![t]!, voices[1]![t]!, voices[2]![t]!]);
}

/**
 * Mean |pitch change| (semitones) of the accompaniment voices across the steps `t` where
 * `at(t)` holds, counting only steps where the voice sounds on both sides.
 */
export function meanLeap(chorales: readonly Chorale[], at: (t: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (const ch of chorales)
    for (let t = 1; t < ch.length; t++) {
      if (!at(t)) continue;
      for (let v = 1; v < 4; v++) {
        const a = ch[t - 1]![v]!;
        const b = ch[t]![v]!;
        if (a !== REST && b !== REST) (sum += Math.abs(a - b)), n++;
      }
    }
  return n === 0 ? NaN : sum / n;
}

export interface EvalResult {
  /** Percent of accompaniment voice-steps that change when only the seed changes. */
  seedDiversity: number;
  generated: Quality;
  data: Quality;
  /** Leaps across 4-bar boundaries: real, one-pass generation, independent 4-bar chunks. */
  leaps: { data: number; onePass: number; chunked: number; onePassInterior: number };
  /** Chords at melody onsets: complete, or missed with 1–4 pitch classes sounding (seed `seed`, constraint on). */
  chordMisses: { model: Record<string, number>; data: Record<string, number> };
}

/** The chord-miss breakdown of a set of chorales (soprano = melody). */
export function choraleChordMisses(chorales: readonly Chorale[]): Record<string, number> {
  return chordMissShares(
    chorales.reduce(
      (acc, ch) =>
        addChordMisses(
          acc,
          ch.map((s) => s[0]!),
          [1, 2, 3].map((v) => ch.map((s) => s[v]!)),
        ),
      emptyChordMisses(),
    ),
  );
}

/** The GAN's harmonize function for the shared harmony eval (seed and melody index → one noise draw). */
export function ganHarmonizer(params: Params, config: GanConfig, knobs: { temperature?: number; penalty?: number; strictVoiceLeading?: boolean } = {}) {
  return (melody: number[], o: { seed: number; piece: number; strictVoiceLeading: boolean }): number[][] =>
    accompanyLines(params, config, [melody], {
      seed: 1000 * o.seed + o.piece,
      temperature: knobs.temperature,
      penalty: knobs.penalty,
      strictVoiceLeading: knobs.strictVoiceLeading ?? o.strictVoiceLeading,
    })[0]!;
}

/** Seed-`seed` accompaniments of every chorale's melody, as chorales (soprano = the melody). */
export function accompanyAll(params: Params, config: GanConfig, chorales: readonly Chorale[], seed: number): Chorale[] {
  return chorales.map((ch, i) => withVoices(ch, accompanyLines(params, config, [ch.map((s) => s[0]!)], { seed: seed + i })[0]!));
}

/** Every key of `obj` with `prefix` in front. */
export function prefixed(prefix: string, obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [`${prefix}${k}`, v]));
}

export function evaluate(params: Params, config: GanConfig, test: readonly Chorale[], seed: number): EvalResult {
  const chunk = config.chunkSteps;
  const generated = accompanyAll(params, config, test, seed);
  // The naive alternative: cut each melody into 4-bar chunks and accompany them independently.
  const chunked = test.map((ch, i) => {
    const voices: number[][] = [[], [], []];
    for (let s = 0; s < ch.length; s += chunk) {
      const part = accompanyLines(params, config, [ch.slice(s, s + chunk).map((x) => x[0]!)], { seed: seed + i * 1000 + s })[0]!;
      part.forEach((v, k) => voices[k]!.push(...v));
    }
    return withVoices(ch, voices);
  });
  // How much the seed (the noise) changes the result: share of voice-steps that differ between two seeds.
  let differ = 0;
  let total = 0;
  test.forEach((ch, i) => {
    const other = accompanyLines(params, config, [ch.map((s) => s[0]!)], { seed: seed + i + 7919 })[0]!;
    ch.forEach((_, t) => {
      for (let v = 0; v < 3; v++) (differ += other[v]![t] !== generated[i]![t]![v + 1] ? 1 : 0), total++;
    });
  });
  const boundary = (t: number): boolean => t % chunk === 0;
  return {
    seedDiversity: total === 0 ? 0 : (100 * differ) / total,
    generated: chorusQuality(generated),
    data: chorusQuality(test),
    leaps: {
      data: meanLeap(test, boundary),
      onePass: meanLeap(generated, boundary),
      chunked: meanLeap(chunked, boundary),
      onePassInterior: meanLeap(generated, (t) => !boundary(t)),
    },
    chordMisses: { model: choraleChordMisses(generated), data: choraleChordMisses(test) },
  };
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export async function main(flags: Record<string, string | true>): Promise<void> {
  const t0 = performance.now();
  const rt = await initRuntime();
  const seed = flags.seed !== undefined ? Number(flags.seed) : 1;
  if (!Number.isFinite(seed)) throw new Error('--seed needs a number');
  const dir = typeof flags.weights === 'string' ? flags.weights : WEIGHTS_DIR;
  const loaded = loadWeights(dir, 'generator', false);
  const split = flags.split === 'valid' ? 'valid' : 'test';
  const limit = flags.limit !== undefined ? Number(flags.limit) : undefined;
  const knob = (name: string): number | undefined => (flags[name] !== undefined ? Number(flags[name]) : undefined);
  const knobs = { temperature: knob('temperature'), penalty: knob('smoothing') };
  const test = loadJsb()[split].slice(0, limit);
  const harmony = await evaluateHarmony(ganHarmonizer(loaded.params, loaded.config, knobs), {
    split,
    limit,
    seeds: seedsFlag(flags.seeds),
    constraint: constraintFlag(flags),
  });
  if (flags['harmony-only']) {
    disposeParams(loaded.params);
    if (!flags.json) console.log(harmonyTable(harmony, 'GAN'));
    console.log(JSON.stringify({ model: 'gan', split, knobs, ...harmonyJson(harmony), ms: Math.round(performance.now() - t0) }));
    return;
  }
  const res = evaluate(loaded.params, loaded.config, test, seed);
  disposeParams(loaded.params);
  // Before the adversarial phase: the same figures for the pre-trained generator, same decoder knobs.
  const preDir = typeof flags['pre-adversarial'] === 'string' ? flags['pre-adversarial'] : path.join(dir, PRETRAINED_DIR);
  let pre: Record<string, unknown> = {};
  if (!flags['no-pre-adversarial'] && weightsExist(preDir, 'generator')) {
    const p = loadWeights(preDir, 'generator', false);
    const cfg = {
      ...p.config,
      decodeTemperature: loaded.config.decodeTemperature,
      decodePenalty: loaded.config.decodePenalty,
      decodeRhythm: loaded.config.decodeRhythm,
    };
    const h = await evaluateHarmony(ganHarmonizer(p.params, cfg, knobs), { split, limit, seeds: seedsFlag(flags.seeds), constraint: constraintFlag(flags) });
    const preGenerated = accompanyAll(p.params, cfg, test, seed);
    disposeParams(p.params);
    const q = chorusQuality(preGenerated);
    pre = prefixed('pre_adversarial_', {
      step: p.meta.step,
      chord_misses: choraleChordMisses(preGenerated),
      QN: r2(q.QN),
      UPC: r2(q.UPC),
      TD: r2(q.TD),
      inKey: r2(q.inKey),
      distinct_durations: r2(q.distinctDurations),
      ...harmonyJson(h),
    });
  }
  const g = res.generated;
  const d = res.data;
  const out = {
    model: 'gan',
    split,
    knobs,
    chorales: test.length,
    seed,
    backend: rt.backend,
    QN: r2(g.QN),
    EB: r2(g.EB),
    UPC: r2(g.UPC),
    TD: r2(g.TD),
    inKey: r2(g.inKey),
    data_QN: r2(d.QN),
    data_EB: r2(d.EB),
    data_UPC: r2(d.UPC),
    data_TD: r2(d.TD),
    data_inKey: r2(d.inKey),
    QN_per_voice: g.perVoice.QN.map(r2),
    EB_per_voice: g.perVoice.EB.map(r2),
    UPC_per_voice: g.perVoice.UPC.map(r2),
    data_QN_per_voice: d.perVoice.QN.map(r2),
    data_EB_per_voice: d.perVoice.EB.map(r2),
    data_UPC_per_voice: d.perVoice.UPC.map(r2),
    TD_melody_voice: g.TD_melody.map(r2),
    TD_between_voices: g.TD_between.map(r2),
    data_TD_melody_voice: d.TD_melody.map(r2),
    data_TD_between_voices: d.TD_between.map(r2),
    chord_misses: res.chordMisses.model,
    data_chord_misses: res.chordMisses.data,
    distinct_durations: r2(g.distinctDurations),
    data_distinct_durations: r2(d.distinctDurations),
    QN_gap: r2(Math.abs(g.QN - d.QN)),
    EB_gap: r2(Math.abs(g.EB - d.EB)),
    UPC_gap: r2(Math.abs(g.UPC - d.UPC)),
    targets_met: Math.abs(g.QN - d.QN) <= TARGETS.QN && Math.abs(g.EB - d.EB) <= TARGETS.EB && Math.abs(g.UPC - d.UPC) <= TARGETS.UPC,
    seed_diversity_pct: r2(res.seedDiversity),
    leap_4bar_boundary_data: r2(res.leaps.data),
    leap_4bar_boundary_one_pass: r2(res.leaps.onePass),
    leap_4bar_boundary_chunked: r2(res.leaps.chunked),
    leap_interior_one_pass: r2(res.leaps.onePassInterior),
    ...harmonyJson(harmony),
    ...pre,
    ms: Math.round(performance.now() - t0),
  };
  if (!flags.json || flags.verbose) {
    const row = (name: string, a: number, b: number, unit = '') =>
      console.log(`${name.padEnd(26)} ${String(r2(a)).padStart(8)}${unit}  ${String(r2(b)).padStart(8)}${unit}`);
    console.log(`GAN on ${test.length} JSB ${split} melodies (seed ${seed}, ${rt.backend})\n${''.padEnd(26)} generated      real`);
    row('QN (notes ≥ 3 steps)', g.QN, d.QN, '%');
    row('EB (empty bars)', g.EB, d.EB, '%');
    row('UPC (pitch classes/bar)', g.UPC, d.UPC);
    row('TD (mean of 6 pairs)', g.TD, d.TD);
    ['alto', 'tenor', 'bass'].forEach((v, i) => row(`TD melody↔${v}`, g.TD_melody[i]!, d.TD_melody[i]!));
    ['alto–tenor', 'alto–bass', 'tenor–bass'].forEach((v, i) => row(`TD ${v}`, g.TD_between[i]!, d.TD_between[i]!));
    row('in-key ratio', g.inKey, d.inKey, '%');
    row('distinct note lengths/voice', g.distinctDurations, d.distinctDurations);
    console.log(`seed diversity: ${r2(res.seedDiversity)}% of voice-steps change with the seed`);
    console.log(
      `leap at 4-bar boundaries (semitones): real ${r2(res.leaps.data)}, one pass ${r2(res.leaps.onePass)}, independent chunks ${r2(res.leaps.chunked)}`,
    );
    console.log(harmonyTable(harmony, 'GAN'));
    for (const k of ['QN', 'UPC', 'TD', 'chord_at_onsets', 'onset_consonance', 'bass_consonance', 'share_16th', 'in_key', 'parallels_per_bar_unconstrained'])
      if (`pre_adversarial_${k}` in pre)
        console.log(`before the adversarial phase: ${k} ${String(pre[`pre_adversarial_${k}`])} (after: ${String((out as Record<string, unknown>)[k])})`);
  }
  if (flags.json) console.log(JSON.stringify(out));
}

// `npm run eval -- arcnn [--json] [--limit N] [--share S] [--seed S] [--temperature T]
// [--iterations N] [--constraint on|off|both] [--seeds 1,2,3] [--checkpoint DIR] [--split valid]`:
// the AR-CNN on the JSB test split (valid for choosing knobs).
// 1. Infill NLL: hide a share of the alto/tenor/bass voice-steps of each test chorale; the net sees
//    the rest with the hidden voice-steps masked, and its per-voice-step softmax over the 46 pitches
//    + rest gives p(pitch); NLL (nats per hidden voice-step) of Bach's pitch.
//    Same for the same net untrained, a per-voice pitch-frequency baseline and the nearest-step copy
//    (../metrics/baselines). With every A/T/B voice-step hidden: the soprano-only NLL, against the
//    lookup table p(voice pitch | soprano pitch) counted on train (smoothing chosen on valid).
// 2. Harmonisation: soprano given, alto/tenor/bass written from silence with the generator's
//    default knobs and sampler, seeds 1–3, strict voice leading on and off: the issue-12 harmony
//    figures (../metrics/harmony-eval) next to Bach's; and (seed 1) EB, UPC, QN, TD, in-key.
import fs from 'node:fs';
import path from 'node:path';
import { loadJsb, type Chorale } from '../data/jsb';
import { averageSummaries, estimateKey, summarize, voiceTracks, type MetricSummary } from '../metrics/index';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { baselineFigures, hideVoiceSteps } from '../metrics/baselines';
import { constraintFlag, evaluateHarmony, harmonyJson, harmonyTable, seedsFlag } from '../metrics/harmony-eval';
import { loadTensors, loadVariables } from '../runtime/io';
import { CLASSES, DEFAULT_NET, DEFAULT_TRAIN, inChannels, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, TIME_MULTIPLE, VOICES } from './config';
import { cellIndex, choraleToVoiceRoll, inputPlanes, levels44, type VoiceRoll } from './encoding';
import { jsbFirstPos } from '../transformer/meter';
import { createNet, disposeNet, forward, parameterCount, type ArcnnNet } from './network';
import { parseParams } from './params';
import { sampleEdits } from './sampler';
import { WEIGHTS_DIR, loadWeights } from './weights';

const TOP = ROLL_HIGH - ROLL_LOW;
const padded = (n: number): number => Math.ceil(n / TIME_MULTIPLE) * TIME_MULTIPLE;

/** Per-voice pitch frequencies on the train split, add-one smoothed: the baseline's p(pitch | voice). */
export function pitchFrequencies(train: readonly Chorale[]): number[][] {
  const counts = Array.from({ length: VOICES }, () => new Array<number>(TOP + 1).fill(1));
  for (const ch of train) for (const step of ch) step.forEach((m, v) => m >= 0 && counts[v]![m - ROLL_LOW]!++);
  return counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((x) => x / total);
  });
}

function logits(net: ArcnnNet, roll: VoiceRoll, editableVS: Uint8Array): Float32Array {
  const x = inputPlanes(roll, editableVS, undefined, net.config);
  const y = tf.tidy(() => forward(net, tf.tensor4d(x, [1, roll.steps, ROLL_PITCHES, inChannels(net.config)])));
  const out = y.dataSync() as Float32Array;
  y.dispose();
  return out;
}

/** NLL of the true pitch at masked voice-step (t, v) under its softmax over 46 pitches + rest. */
function cellNll(l: Float32Array, t: number, v: number, truth: number): number {
  let max = -Infinity;
  for (let p = 0; p < CLASSES; p++) max = Math.max(max, l[cellIndex(t, p, v)]!);
  let s = 0;
  for (let p = 0; p < CLASSES; p++) s += Math.exp(l[cellIndex(t, p, v)]! - max);
  return max + Math.log(s) - l[cellIndex(t, truth, v)]!;
}

export interface InfillResult {
  trained: number;
  untrained: number;
  baseline: number;
  hidden: number;
}

/** Mean NLL of one net over hidden A/T/B voice-steps (same hiding for every net given the seed). */
export function maskedNll(
  nets: ArcnnNet[],
  chorales: readonly Chorale[],
  share: number,
  seed: number,
  freq?: number[][],
): { nll: number[]; baseline: number; hidden: number } {
  // The same hiding as the baselines (../metrics/baselines), so every figure scores the same cells.
  const hiddenAll = hideVoiceSteps(chorales, share, seed);
  const sums = nets.map(() => 0);
  let base = 0;
  let hidden = 0;
  chorales.forEach((ch, i) => {
    const steps = padded(ch.length);
    const full = choraleToVoiceRoll(ch, 0, steps);
    const roll: VoiceRoll = { steps, data: new Uint8Array(full.data), levels: levels44(steps, jsbFirstPos(ch.length)) };
    const editableVS = new Uint8Array(steps * VOICES);
    const cells: [number, number, number][] = hiddenAll[i]!.map((c) => [c.t, c.v, c.pitch - ROLL_LOW]);
    // Soprano-only (share 1): every A/T/B voice-step of the piece is masked, rests included, so the
    // net sees the soprano alone; otherwise exactly the hidden (sounding) voice-steps are masked.
    if (share >= 1) for (let t = 0; t < ch.length; t++) for (let v = 1; v < VOICES; v++) editableVS[t * VOICES + v] = 1;
    for (const [t, v, p] of cells) {
      editableVS[t * VOICES + v] = 1;
      roll.data[cellIndex(t, p, v)] = 0;
    }
    nets.forEach((net, k) => {
      const l = logits(net, roll, editableVS);
      for (const [t, v, p] of cells) sums[k]! += cellNll(l, t, v, p);
    });
    if (freq) for (const [, v, p] of cells) base -= Math.log(freq[v]![p]!);
    hidden += cells.length;
  });
  return { nll: sums.map((s) => s / hidden), baseline: base / hidden, hidden };
}

export function infillNll(trained: ArcnnNet, untrained: ArcnnNet, test: readonly Chorale[], freq: number[][], share: number, seed: number): InfillResult {
  const r = maskedNll([trained, untrained], test, share, seed, freq);
  return { trained: r.nll[0]!, untrained: r.nll[1]!, baseline: r.baseline, hidden: r.hidden };
}

export interface HarmonizeKnobs {
  /** Default: the generator's (parseParams('harmonize', {})). */
  temperature?: number;
  /** Network calls per harmonisation (default: the generator's 100, whatever the length). */
  iterations?: number;
  strictVoiceLeading?: boolean;
  /** Temperature annealing start (./gibbs); default: the generator's. */
  startTemperature?: number;
  /** Gibbs masking unit in steps (./gibbs); default: the generator's. */
  chunk?: number;
}

/**
 * The AR-CNN's harmonize function for the shared harmony eval: melody → [alto, tenor, bass], with
 * the generator's default knobs and sampler unless overridden (the eval's knob-sweep flags).
 */
export function arcnnHarmonizer(net: ArcnnNet, knobs: HarmonizeKnobs = {}) {
  const defaults = parseParams('harmonize', {});
  return async (melody: number[], o: { seed: number; piece: number; strictVoiceLeading: boolean }): Promise<number[][]> => {
    const steps = padded(melody.length);
    const roll = choraleToVoiceRoll(
      melody.map((m) => [m, -1, -1, -1]),
      0,
      steps,
    );
    // JSB melodies are read as 4/4 ending on a bar line (../transformer/meter).
    roll.levels = levels44(steps, jsbFirstPos(melody.length));
    const rng = createRng(1000 * o.seed + o.piece);
    const strictVoiceLeading = knobs.strictVoiceLeading ?? o.strictVoiceLeading;
    const temperature = knobs.temperature ?? defaults.temperature;
    const iterations = knobs.iterations ?? defaults.iterations;
    const editable = new Uint8Array(roll.data.length);
    for (let t = 0; t < melody.length; t++) for (let v = 1; v < VOICES; v++) for (let p = 0; p <= TOP; p++) editable[cellIndex(t, p, v)] = 1;
    const out = (
      await sampleEdits(
        net,
        { roll, editable },
        {
          iterations,
          maxRemoveShare: 1,
          maxNotesAdded: 1e6,
          temperature,
          strictVoiceLeading,
          startTemperature: knobs.startTemperature ?? defaults.startTemperature ?? undefined,
          chunk: knobs.chunk ?? defaults.chunk,
        },
        rng,
      )
    ).roll;
    return [1, 2, 3].map((v) =>
      melody.map((_, t) => {
        for (let p = TOP; p >= 0; p--) if (out.data[cellIndex(t, p, v)]) return p + ROLL_LOW;
        return -1;
      }),
    );
  };
}

type Figures = { EB: number; UPC: number; QN: number; TD: number; in_key: number };
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const figures = (s: MetricSummary): Figures => ({ EB: mean(s.EB), UPC: mean(s.UPC), QN: mean(s.QN), TD: s.TD, in_key: s.inKey });
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const round = <T extends Record<string, number>>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r4(v)])) as T;

export async function main(flags: Record<string, string | true>): Promise<void> {
  const json = flags.json === true;
  const limit = flags.limit !== undefined ? Number(flags.limit) : undefined;
  const share = flags.share !== undefined ? Number(flags.share) : 0.5;
  const seed = flags.seed !== undefined ? Number(flags.seed) : 1;
  const num = (name: string): number | undefined => (flags[name] !== undefined ? Number(flags[name]) : undefined);
  const knobs: HarmonizeKnobs = {
    temperature: num('temperature'),
    iterations: num('iterations'),
    startTemperature: num('start-temperature'),
    chunk: num('chunk'),
  };
  const rt = await initRuntime();
  const data = loadJsb();
  // --split valid is for choosing knobs without looking at test; reported figures use test.
  const split = flags.split === 'valid' ? 'valid' : 'test';
  const test = data[split].slice(0, limit);
  // --checkpoint DIR evaluates a training checkpoint, --weights DIR a published weights folder,
  // instead of the committed weights (the architecture is read off the tensors' names and shapes).
  const { net, info } =
    typeof flags.checkpoint === 'string'
      ? (() => {
          const saved = loadTensors(flags.checkpoint, 'net');
          const planes = saved['enc1a.w']!.shape[2]!;
          const cfg = {
            ...DEFAULT_NET,
            globalPitch: saved['glob_a.w'] ? DEFAULT_NET.globalPitch : 0,
            pcProfile: planes >= inChannels({ pcProfile: true }),
            stepChroma: planes === inChannels({ pcProfile: true, stepChroma: true }),
          };
          Object.values(saved).forEach((t) => t.dispose());
          const n = createNet(cfg, 0);
          loadVariables(flags.checkpoint, 'net', Object.fromEntries(n.vars));
          return { net: n, info: { trainedSteps: -1, seed: DEFAULT_TRAIN.seed } };
        })()
      : loadWeights(typeof flags.weights === 'string' ? flags.weights : undefined);
  const untrained = createNet(net.config, info.seed);
  const t0 = performance.now();
  const infill = infillNll(net, untrained, test, pitchFrequencies(data.train), share, seed);
  const sopranoOnly = maskedNll([net], test, 1, seed).nll[0]!;
  const baselines = baselineFigures(data, test, share, seed);
  const infillSec = (performance.now() - t0) / 1000;

  // Harmonisation: every melody, seeds 1–3, default knobs, strict voice leading on and off
  // (../metrics/harmony-eval); the MuseGAN-style summary from the seed-1, constrained run.
  const gen: MetricSummary[] = [];
  const real: MetricSummary[] = [];
  const t1 = performance.now();
  const harmonizer = arcnnHarmonizer(net, knobs);
  const harmonySeeds = seedsFlag(flags.seeds);
  const harmony = await evaluateHarmony(
    async (melody, o) => {
      const voices = await harmonizer(melody, o);
      if (o.seed === harmonySeeds[0] && o.strictVoiceLeading) {
        const ch = test[o.piece]!;
        const key = estimateKey(voiceTracks(ch));
        gen.push(summarize(voiceTracks(ch.map((s, t) => [s[0]!, voices[0]![t]!, voices[1]![t]!, voices[2]![t]!])), { key }));
        real.push(summarize(voiceTracks(ch), { key }));
      }
      return voices;
    },
    {
      split,
      limit,
      seeds: seedsFlag(flags.seeds),
      constraint: constraintFlag(flags),
      onProgress: (d, n) => !json && process.stderr.isTTY && process.stderr.write(`\rharmonising ${d}/${n}`),
    },
  );
  if (!json && process.stderr.isTTY) process.stderr.write('\n');
  const harmSec = (performance.now() - t1) / 1000;
  const g = averageSummaries(gen);
  const r = averageSummaries(real);
  const defaults = parseParams('harmonize', {});
  const result = {
    model: 'arcnn',
    split,
    chorales: test.length,
    parameters: parameterCount(net.config),
    trained_steps: info.trainedSteps,
    harmonization_sampler: 'gibbs',
    harmonization_temperature: knobs.temperature ?? defaults.temperature,
    harmonization_iterations: knobs.iterations ?? defaults.iterations,
    infill_share: share,
    infill_hidden_cells: infill.hidden,
    infill_nll: r4(infill.trained),
    untrained_infill_nll: r4(infill.untrained),
    baseline_infill_nll: r4(infill.baseline),
    copy_baseline_infill_nll: r4(baselines.copy_infill_nll),
    copy_baseline_eps: baselines.copy_eps,
    soprano_only_nll: r4(sopranoOnly),
    lookup_baseline_soprano_only_nll: r4(baselines.lookup_harmonization_nll),
    lookup_baseline_alpha: baselines.lookup_alpha,
    harmonization: round(figures(g)),
    real_chorales: round(figures(r)),
    harmonization_per_voice: { EB: g.EB.map(r4), UPC: g.UPC.map(r4), QN: g.QN.map(r4) },
    real_per_voice: { EB: r.EB.map(r4), UPC: r.UPC.map(r4), QN: r.QN.map(r4) },
    ...harmonyJson(harmony),
    seconds: { nll: Math.round(infillSec), harmonization: Math.round(harmSec) },
    backend: rt.backend,
    seed,
  };
  disposeNet(net);
  disposeNet(untrained);
  const official =
    limit === undefined &&
    knobs.temperature === undefined &&
    knobs.iterations === undefined &&
    knobs.startTemperature === undefined &&
    knobs.chunk === undefined &&
    share === 0.5 &&
    seed === 1 &&
    flags.seeds === undefined &&
    flags.constraint === undefined &&
    flags.strict === undefined &&
    typeof flags.checkpoint !== 'string' &&
    typeof flags.weights !== 'string' &&
    split === 'test';
  if (official) fs.writeFileSync(path.join(WEIGHTS_DIR, 'eval-results.json'), JSON.stringify(result, null, 1) + '\n');
  if (!json) {
    console.log(`AR-CNN on the JSB ${split} split (${test.length} chorales)`);
    console.log(`infill NLL (nats / hidden voice-step, ${share * 100}% of A/T/B hidden, ${infill.hidden} cells):`);
    console.log(
      `  trained ${infill.trained.toFixed(3)}   untrained ${infill.untrained.toFixed(3)}   pitch-frequency ${infill.baseline.toFixed(3)}   nearest-step copy ${baselines.copy_infill_nll.toFixed(3)}`,
    );
    console.log(`soprano-only NLL: trained ${sopranoOnly.toFixed(3)}   lookup table p(voice | soprano) ${baselines.lookup_harmonization_nll.toFixed(3)}`);
    console.log('harmonisation (soprano given)      EB     UPC    QN     TD     in-key');
    const row = (name: string, f: Figures) =>
      console.log(`  ${name.padEnd(32)} ${[f.EB, f.UPC, f.QN, f.TD, f.in_key].map((x) => x.toFixed(3).padStart(6)).join(' ')}`);
    row('AR-CNN', figures(g));
    row('Bach (real test chorales)', figures(r));
    console.log(harmonyTable(harmony, 'AR-CNN'));
  }
  console.log(JSON.stringify(result));
}

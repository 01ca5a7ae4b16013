// `npm run train -- gan [--steps N --batch B --seed S --out DIR --critic-steps K --recon W --pretrain P --critic-warmup W --lr R --fresh
//   --validate-every N --tiny --publish]`: WGAN-GP training on 4-bar JSB windows (train split only,
// random transposition), through the shared harness (progress, checkpoints + resume, JSON log).
// The first `pretrainSteps` harness steps are generator-only cross-entropy steps (warm-up), the next
// `criticWarmupSteps` train only the critic; after that one harness step = `criticSteps` critic
// updates + one generator update. Every validation it
// accompanies fixed validation-split melodies and logs EB/UPC/QN/TD of the samples next to the
// real chorales', and redraws the loss and metric curves next to the checkpoint. --publish copies
// the final generator, log and curves into models/weights/gan/ and calibrates its decoder on the
// valid split (calibrate.ts).
import fs from 'node:fs';
import path from 'node:path';
import { loadJsb, STEPS_PER_BAR, type Chorale } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { parseTrainFlags } from '../train/flags';
import { addHarmonyCounts, choraleHarmonyInput, emptyHarmonyCounts, harmonyCounts, harmonyFigures } from '../metrics/harmony';
import { checkpointPaths, runTraining, type TrainLog, type TrainLoop } from '../train/harness';
import { DEFAULT_CONFIG, NUM_ACCOMP, NUM_CLASSES, TINY_CONFIG, validateConfig, type GanConfig } from './config';
import { CURVE_FILES, writeCurves, writeCurvesFromLog, type LossPoint, type MetricPoint } from './curves';
import { barNoise, sampleBatch, stackWindows } from './encoding';
import { criticTerms, fakeAccompaniment, generatorTerms } from './loss';
import { calibrate } from './calibrate';
import { rhythmPrior } from './decode';
import { countParams, criticSpec, generatorSpec, initParams, type Params } from './network';
import { chorusQuality, type Quality } from './quality';
import { accompanyLines } from './sampler';
import { assignParams, disposeParams, loadWeights, PRETRAINED_DIR, saveWeights, saveWeightsBeside, WEIGHTS_DIR } from './weights';

export interface GanLoop extends TrainLoop {
  G: Params;
  D: Params;
  config: GanConfig;
  dispose(): void;
}

export interface LoopOptions {
  /** Validation windows (4-bar chunks of the valid split) for the training view. */
  validation: Chorale[];
  /** Where the curves are drawn (the harness's outDir). */
  outDir?: string;
}

function qualityRecord(q: Quality): Record<string, number> {
  return { QN: q.QN, EB: q.EB, UPC: q.UPC, TD: q.TD, inKey: q.inKey };
}

/** Issue 12's harmony figures of a set of windows (soprano = melody), for the training view. */
function harmonyRecord(windows: readonly Chorale[]): Record<string, number> {
  const counts = windows.reduce((acc, w) => addHarmonyCounts(acc, harmonyCounts(choraleHarmonyInput(w))), emptyHarmonyCounts());
  const f = harmonyFigures(counts);
  return {
    chord_at_onsets: f.chord_at_onsets,
    onset_consonance: f.onset_consonance,
    bass_consonance: f.bass_consonance,
    share_16th: f.share_16th,
    parallels_per_bar: f.parallels_per_bar,
  };
}

/** Distance to the real chorales in units of the issue's tolerances (≤ 1 each = target met). */
export function targetGap(sample: Quality, data: Quality): number {
  return (Math.abs(sample.QN - data.QN) / 5 + Math.abs(sample.EB - data.EB) / 5 + Math.abs(sample.UPC - data.UPC) / 0.5) / 3;
}

async function saveOptimizer(dir: string, prefix: string, opt: tf.Optimizer): Promise<void> {
  const weights = await opt.getWeights();
  const named: Params = {};
  weights.forEach((w, i) => (named[`${String(i).padStart(5, '0')}|${w.name}`] = w.tensor as tf.Variable));
  await saveWeightsBeside(dir, prefix, named);
}

async function loadOptimizer(dir: string, prefix: string, opt: tf.Optimizer): Promise<void> {
  const { params } = loadWeights(dir, prefix, false);
  const keys = Object.keys(params).sort();
  await opt.setWeights(keys.map((k) => ({ name: k.slice(k.indexOf('|') + 1), tensor: params[k]! })));
  disposeParams(params);
}

export function createGanLoop(config: GanConfig, train: readonly Chorale[], seed: number, opts: LoopOptions): GanLoop {
  const c = validateConfig(config);
  const G = initParams(generatorSpec(c), seed * 2 + 1);
  const D = initParams(criticSpec(c), seed * 2 + 2);
  const optG = tf.train.adam(c.learningRate, c.beta1, c.beta2);
  const optD = tf.train.adam(c.learningRate, c.beta1, c.beta2);
  const optPre = tf.train.adam(c.pretrainLearningRate);
  const T = c.chunkSteps;
  const bars = T / STEPS_PER_BAR;
  const dataQuality = chorusQuality(opts.validation);
  const dataHarmony = harmonyRecord(opts.validation);
  const lossHistory: LossPoint[] = [];
  const metricHistory: MetricPoint[] = [];

  const batchTensors = (rng: Parameters<TrainLoop['step']>[0]['rng']) => {
    const b = sampleBatch(train, c.batch, T, rng);
    return {
      mel: tf.tensor3d(b.melody, [c.batch, T, NUM_CLASSES]),
      real: tf.tensor3d(b.accomp, [c.batch, T, NUM_ACCOMP * NUM_CLASSES]),
      noise: tf.tensor3d(barNoise(rng, c.batch * bars, c.noiseDim), [c.batch, bars, c.noiseDim]),
    };
  };

  const loop: GanLoop = {
    G,
    D,
    config: c,
    step({ step, rng }) {
      if (step < c.pretrainSteps) {
        const { mel, real, noise } = batchTensors(rng);
        let ce = 0;
        optPre.minimize(
          () => {
            const r = generatorTerms(G, D, c, mel, noise, real, false);
            ce = r.crossEntropy.dataSync()[0]!;
            return r.crossEntropy;
          },
          false,
          Object.values(G),
        );
        tf.dispose([mel, real, noise]);
        const metrics = { loss: ce, ce, pretrain: 1 };
        lossHistory.push({ step: step + 1, metrics });
        // The generator before any adversarial step, kept to measure what that phase changes.
        if (step + 1 === c.pretrainSteps && opts.outDir)
          return saveWeights(path.join(opts.outDir, PRETRAINED_DIR), 'generator', G, c, { step: step + 1, seed, phase: 'likelihood pre-training only' }).then(
            () => metrics,
          );
        return metrics;
      }
      let dLoss = 0;
      let wass = 0;
      let gp = 0;
      for (let k = 0; k < c.criticSteps; k++) {
        const { mel, real, noise } = batchTensors(rng);
        const fake = tf.tidy(() => fakeAccompaniment(G, c, mel, noise));
        const eps = tf.tensor1d(Array.from({ length: c.batch }, () => rng.next()));
        optD.minimize(
          () => {
            const r = criticTerms(D, c, mel, real, fake, eps);
            wass += r.wasserstein.dataSync()[0]! / c.criticSteps;
            gp += r.gp.dataSync()[0]! / c.criticSteps;
            dLoss += r.loss.dataSync()[0]! / c.criticSteps;
            return r.loss;
          },
          false,
          Object.values(D),
        );
        tf.dispose([mel, real, noise, fake, eps]);
      }
      if (step < c.pretrainSteps + c.criticWarmupSteps) {
        const metrics = { loss: dLoss, d_loss: dLoss, wasserstein: wass, gp, pretrain: 0.5 };
        lossHistory.push({ step: step + 1, metrics });
        return metrics;
      }
      const { mel, real, noise } = batchTensors(rng);
      let gLoss = 0;
      let gAdv = 0;
      let ce = 0;
      optG.minimize(
        () => {
          const r = generatorTerms(G, D, c, mel, noise, real);
          gAdv = r.adversarial.dataSync()[0]!;
          ce = r.crossEntropy.dataSync()[0]!;
          gLoss = r.loss.dataSync()[0]!;
          return r.loss;
        },
        false,
        Object.values(G),
      );
      tf.dispose([mel, real, noise]);
      const metrics = { loss: dLoss, d_loss: dLoss, wasserstein: wass, gp, g_loss: gLoss, g_adv: gAdv, ce, pretrain: 0 };
      lossHistory.push({ step: step + 1, metrics });
      return metrics;
    },
    validate({ step }) {
      const melodies = opts.validation.map((w) => w.map((s) => s[0]!));
      const voices = accompanyLines(G, c, melodies, { seed: 1 });
      const generated = opts.validation.map((w, i) => w.map((s, t) => [s[0]!, voices[i]![0]![t]!, voices[i]![1]![t]!, voices[i]![2]![t]!]));
      const q = chorusQuality(generated);
      // Cross-entropy of the real accompaniment under G (noise drawn per window), a harmony check.
      const ce = tf.tidy(() => {
        const b = stackWindows(opts.validation, T);
        const rng = createRng(7);
        const noise = tf.tensor3d(barNoise(rng, b.batch * bars, c.noiseDim), [b.batch, bars, c.noiseDim]);
        const mel = tf.tensor3d(b.melody, [b.batch, T, NUM_CLASSES]);
        const real = tf.tensor3d(b.accomp, [b.batch, T, NUM_ACCOMP * NUM_CLASSES]);
        return generatorTerms(G, D, c, mel, noise, real, false).crossEntropy.dataSync()[0]!;
      });
      const gap = targetGap(q, dataQuality);
      const sample = { ...qualityRecord(q), ...harmonyRecord(generated) };
      metricHistory.push({ step, sample });
      const dataRecord = { ...qualityRecord(dataQuality), ...dataHarmony };
      if (opts.outDir) writeCurves(opts.outDir, lossHistory, metricHistory, dataRecord, curveTitle(c, seed));
      const data = Object.fromEntries(Object.entries(dataRecord).map(([k, v]) => [`data_${k}`, v]));
      // The best checkpoint minimises harmony error plus distance to the data's rhythm statistics.
      return { loss: ce + gap, ce, target_gap: gap, ...sample, ...data };
    },
    async save(dir) {
      await saveWeights(dir, 'generator', G, c, { step: lossHistory.at(-1)?.step ?? 0, seed });
      await saveWeightsBeside(dir, 'critic', D);
      await saveOptimizer(dir, 'opt-g', optG);
      await saveOptimizer(dir, 'opt-d', optD);
      await saveOptimizer(dir, 'opt-pre', optPre);
    },
    async load(dir) {
      for (const [prefix, target] of [
        ['generator', G],
        ['critic', D],
      ] as const) {
        const l = loadWeights(dir, prefix);
        assignParams(target, l.params);
        disposeParams(l.params);
      }
      await loadOptimizer(dir, 'opt-g', optG);
      await loadOptimizer(dir, 'opt-d', optD);
      if (fs.existsSync(path.join(dir, 'opt-pre.json'))) await loadOptimizer(dir, 'opt-pre', optPre);
      // Restore the curves' history from the harness log so a resumed run draws the whole run.
      const logFile = path.join(path.dirname(dir), 'train-log.json');
      if (fs.existsSync(logFile)) {
        const log = JSON.parse(fs.readFileSync(logFile, 'utf8')) as TrainLog;
        lossHistory.push(...log.train.map((e) => ({ step: e.step, metrics: e.metrics })));
        metricHistory.push(...log.validation.map((v) => ({ step: v.step, sample: v.metrics })));
      }
    },
    dispose() {
      disposeParams(G);
      disposeParams(D);
      optG.dispose();
      optD.dispose();
      optPre.dispose();
    },
  };
  return loop;
}

export function curveTitle(c: GanConfig, seed: number): string {
  return `GAN seed ${seed}: CE warm-up to ${c.pretrainSteps}, critic warm-up to ${c.pretrainSteps + c.criticWarmupSteps}, WGAN-GP after`;
}

/** Fixed 4-bar validation windows: every `hop` steps of each valid chorale, first `max` of them. */
export function validationWindows(valid: readonly Chorale[], steps: number, max: number): Chorale[] {
  const out: Chorale[] = [];
  for (const ch of valid) for (let s = 0; s + steps <= ch.length && out.length < max; s += 2 * steps) out.push(ch.slice(s, s + steps));
  return out;
}

function numFlag(flags: Record<string, string | true>, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number`);
  return n;
}

export async function main(flags: Record<string, string | true>): Promise<void> {
  const rt = await initRuntime();
  const base = flags.tiny ? TINY_CONFIG : DEFAULT_CONFIG;
  const f = parseTrainFlags(flags, { steps: flags.tiny ? 20 : 2350, batch: base.batch, seed: 1, out: 'models/checkpoints/gan' });
  const config = validateConfig({
    ...base,
    batch: f.batch,
    criticSteps: numFlag(flags, 'critic-steps') ?? base.criticSteps,
    reconWeight: numFlag(flags, 'recon') ?? base.reconWeight,
    pretrainSteps: numFlag(flags, 'pretrain') ?? base.pretrainSteps,
    criticWarmupSteps: numFlag(flags, 'critic-warmup') ?? base.criticWarmupSteps,
    learningRate: numFlag(flags, 'lr') ?? base.learningRate,
    pretrainLearningRate: numFlag(flags, 'pretrain-lr') ?? base.pretrainLearningRate,
    relaxTemperature: numFlag(flags, 'relax-temperature') ?? base.relaxTemperature,
    relaxGumbel: flags['no-gumbel'] ? false : base.relaxGumbel,
  });
  const data = loadJsb();
  // The decoder's metrical prior comes from the training chorales (see decode.ts).
  config.decodeRhythm = rhythmPrior(data.train, NUM_CLASSES).map((x) => Math.round(x * 1000) / 1000);
  const validation = validationWindows(data.valid, config.chunkSteps, flags.tiny ? 8 : 96);
  let loop: GanLoop | undefined;
  console.log(
    `[gan] backend ${rt.backend}${rt.notes.length ? ` (${rt.notes.join('; ')})` : ''}; ${data.train.length} training chorales, ${validation.length} validation windows`,
  );
  const summary = await runTraining(
    {
      name: 'gan',
      outDir: f.out,
      steps: f.steps,
      seed: f.seed,
      resume: f.resume,
      validateEvery: f.validateEvery ?? Math.max(1, Math.round(f.steps / 24)),
      checkpointEvery: f.checkpointEvery ?? Math.max(1, Math.round(f.steps / 24)),
      config: { ...config },
      progress: f.progress,
    },
    () => {
      loop = createGanLoop(config, data.train, f.seed, { validation, outDir: f.out });
      console.log(`[gan] generator ${countParams(loop.G)} parameters, critic ${countParams(loop.D)}`);
      return loop;
    },
  );
  console.log(`[gan] ${summary.completedSteps} steps in ${summary.seconds.toFixed(0)} s; last validation ${JSON.stringify(summary.lastValidation)}`);
  if (flags.publish) {
    publish(f.out, typeof flags.publish === 'string' ? flags.publish : 'checkpoint');
    writeCurvesFromLog(path.join(WEIGHTS_DIR, 'train-log.json'), WEIGHTS_DIR, curveTitle(config, f.seed));
    await calibrate(WEIGHTS_DIR, true);
  }
  loop?.dispose();
}

/** A generator's files in the one weight format (models/runtime/io.ts saveWeights). */
const GENERATOR_FILES = ['generator.json', 'generator.bin', 'config.json'];

/** Copies a checkpoint's generator plus the log and curves into models/weights/gan/. */
export function publish(outDir: string, which: string): void {
  const p = checkpointPaths(outDir);
  const src = which === 'best' ? p.best : p.checkpoint;
  fs.mkdirSync(WEIGHTS_DIR, { recursive: true });
  for (const f of GENERATOR_FILES) fs.copyFileSync(path.join(src, f), path.join(WEIGHTS_DIR, f));
  for (const f of ['train-log.json', ...CURVE_FILES]) if (fs.existsSync(path.join(outDir, f))) fs.copyFileSync(path.join(outDir, f), path.join(WEIGHTS_DIR, f));
  // The generator before the adversarial phase, which the eval measures next to the final one.
  const pre = path.join(outDir, PRETRAINED_DIR);
  if (fs.existsSync(path.join(pre, 'generator.json'))) {
    fs.mkdirSync(path.join(WEIGHTS_DIR, PRETRAINED_DIR), { recursive: true });
    for (const f of GENERATOR_FILES) fs.copyFileSync(path.join(pre, f), path.join(WEIGHTS_DIR, PRETRAINED_DIR, f));
  }
  console.log(`[gan] published ${src} → ${WEIGHTS_DIR}`);
}

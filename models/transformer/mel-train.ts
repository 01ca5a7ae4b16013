// `npm run train -- transformer --arch melody-encoder [--steps N --batch B --seed S --out DIR
// --lr X --export DIR --tiny --valid-chorales N]`: trains the melody-encoder harmoniser on random
// windows of the JSB train split (±6 semitones, kept in range), Adam with linear warm-up and
// cosine decay to 10 % over exactly --steps, gradient clipping at 1, validation NLL (nats per A/T/B
// token, every token scored once) on the valid split. Resumable: rerun the same command. The run's
// schedule (steps, batch, lr, config) is written to <out>/schedule.json at the first start, and a
// resume with different values is refused, so a run continued over many sessions follows one
// clean schedule. `--export DIR` copies the best-on-valid checkpoint into a weights directory when
// the run ends; with `--export-only` it does only that (a snapshot while the run goes on).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadJsb } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { loadOptimizer, loadVariables, saveOptimizer, saveVariables } from '../runtime/io';
import { createRng } from '../runtime/rng';
import { runTraining, type TrainSummary } from '../train/harness';
import { parseTrainFlags } from '../train/flags';
import { wallSeconds } from './eval';
import { nllLoss, tokenNll } from './loss';
import { MELODY_DEFAULT_CONFIG, MELODY_TINY_CONFIG, type MelodyConfig } from './mel-config';
import { melodyEvalBatches, sampleMelodyBatch, type MelodyBatch } from './mel-encoding';
import { countMelodyParams, denseMacsPerStep, initMelodyParams, melodyForward, type Params } from './mel-network';
import { saveMelodyModel } from './mel-weights';
import { learningRate } from './train';

const extraFlags = z.object({
  lr: z.coerce.number().positive().max(1).optional(),
  export: z.string().min(1).optional(),
  tiny: z.literal(true).optional(),
  'valid-chorales': z.coerce.number().int().positive().optional(),
  'max-transpose': z.coerce.number().int().min(0).max(12).optional(),
  /** Export the run's best-on-valid checkpoint to --export and stop (a snapshot while a run goes on). */
  'export-only': z.literal(true).optional(),
});

export const MAX_TRANSPOSE = 6;

export function batchTensors(b: MelodyBatch) {
  return {
    melody: tf.tensor2d(b.melody, [b.batch, b.encLen], 'int32'),
    levels: tf.tensor2d(b.levels, [b.batch, b.encLen], 'int32'),
    profile: tf.tensor2d(b.profile, [b.batch, 12]),
    prev: tf.tensor2d(b.prev, [b.batch * b.len, 3], 'int32'),
    current: tf.tensor2d(b.targets, [b.batch * b.len, 3], 'int32'),
  };
}

/** One optimisation step; returns the batch loss and the pre-clipping gradient norm. */
export function melodyTrainStep(params: Params, cfg: MelodyConfig, opt: tf.AdamOptimizer, b: MelodyBatch, lr: number, clip = 1): { loss: number; gradNorm: number } {
  (opt as unknown as { learningRate: number }).learningRate = lr;
  return tf.tidy(() => {
    const inp = batchTensors(b);
    const targets = tf.tensor1d(b.targets, 'int32');
    const weights = tf.tensor1d(b.weights);
    const { value, grads } = tf.variableGrads(() => nllLoss(melodyForward(params, cfg, inp, true), targets, weights), Object.values(params));
    const norm = Math.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!);
    const scale = norm > clip ? clip / norm : 1;
    const clipped = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, scale === 1 ? g : tf.mul(g, scale)]));
    opt.applyGradients(clipped as Parameters<typeof opt.applyGradients>[0]);
    return { loss: value.dataSync()[0]!, gradNorm: norm };
  });
}

/** Mean NLL (nats per scored A/T/B token) over batches from melodyEvalBatches. */
export function melodyDatasetNll(params: Params, cfg: MelodyConfig, batches: readonly MelodyBatch[]): { nll: number; tokens: number } {
  let total = 0;
  let count = 0;
  for (const b of batches) {
    total += tf.tidy(() => tokenNll(melodyForward(params, cfg, batchTensors(b)), tf.tensor1d(b.targets, 'int32'), tf.tensor1d(b.weights)).sum().dataSync()[0]!);
    for (const w of b.weights) count += w;
  }
  return { nll: total / Math.max(1, count), tokens: count };
}

export interface MelodyTrainOptions {
  cfg: MelodyConfig;
  steps: number;
  batch: number;
  seed: number;
  out: string;
  resume: boolean;
  lr: number;
  maxTranspose: number;
  validateEvery?: number;
  checkpointEvery?: number;
  validChorales: number;
  progress?: 'auto' | 'tty' | 'lines' | 'off';
}

interface Schedule {
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  maxTranspose: number;
  config: MelodyConfig;
}

/** Writes the run's schedule on the first start; refuses to resume under a different one. */
export function checkSchedule(out: string, s: Schedule, resume: boolean): void {
  const file = path.join(out, 'schedule.json');
  if (resume && fs.existsSync(file)) {
    const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as Schedule;
    if (JSON.stringify(prev) !== JSON.stringify(s))
      throw new Error(`${out} holds a run with schedule ${JSON.stringify(prev)}; this command asks for ${JSON.stringify(s)}. Resume with the same flags, or pass --fresh to start over.`);
    return;
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(s));
}

export async function trainMelody(o: MelodyTrainOptions): Promise<{ summary: TrainSummary; params: Params }> {
  const data = loadJsb();
  checkSchedule(o.out, { steps: o.steps, batch: o.batch, lr: o.lr, seed: o.seed, maxTranspose: o.maxTranspose, config: o.cfg }, o.resume);
  const params = initMelodyParams(o.cfg, createRng(o.seed));
  const opt = tf.train.adam(o.lr, 0.9, 0.98, 1e-8);
  const validSet = melodyEvalBatches(data.valid.slice(0, o.validChorales), o.cfg, 16);
  const nParams = countMelodyParams(o.cfg);
  const stepsPerBatch = o.batch * o.cfg.maxLen;
  const summary = await runTraining(
    {
      name: 'transformer-melody-encoder',
      outDir: o.out,
      steps: o.steps,
      seed: o.seed,
      validateEvery: o.validateEvery,
      checkpointEvery: o.checkpointEvery,
      resume: o.resume,
      progress: o.progress,
      config: { ...o.cfg, params: nParams, batch: o.batch, lr: o.lr, stepsPerBatch, tokensPerBatch: 3 * stepsPerBatch, flopsPerStep: 6 * denseMacsPerStep(o.cfg) * stepsPerBatch, validChorales: o.validChorales, maxTranspose: o.maxTranspose },
    },
    {
      step: async ({ step, rng }) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = sampleMelodyBatch(data.train, o.cfg, o.batch, rng, o.maxTranspose);
        const lr = learningRate(step, o.steps, o.lr);
        return { ...melodyTrainStep(params, o.cfg, opt, batch, lr), lr };
      },
      validate: () => ({ loss: melodyDatasetNll(params, o.cfg, validSet).nll }),
      save: async (dir) => {
        await saveVariables(dir, 'variables', params);
        await saveOptimizer(opt, dir);
        fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ config: o.cfg }));
      },
      load: async (dir) => {
        loadVariables(dir, 'variables', params);
        await loadOptimizer(opt, dir);
      },
    },
  );
  opt.dispose();
  return { summary, params };
}

/** Copies a checkpoint directory's weights into a weights directory with the run's facts. */
export async function exportMelodyCheckpoint(src: string, outDir: string, runDir: string, extra: Record<string, unknown> = {}): Promise<void> {
  const cfg = (JSON.parse(fs.readFileSync(path.join(src, 'config.json'), 'utf8')) as { config: MelodyConfig }).config;
  const params = initMelodyParams(cfg, createRng(0));
  loadVariables(src, 'variables', params);
  const log = JSON.parse(fs.readFileSync(path.join(runDir, 'train-log.json'), 'utf8')) as { train: Array<{ elapsedSec: number }>; best: unknown; config: { flopsPerStep: number; tokensPerBatch: number } };
  const state = JSON.parse(fs.readFileSync(path.join(src, 'harness-state.json'), 'utf8')) as { step: number };
  await saveMelodyModel(outDir, params, cfg, {
    params: countMelodyParams(cfg),
    steps: state.step,
    bestValidation: log.best,
    trainingTokens: state.step * log.config.tokensPerBatch,
    trainingFlops: state.step * log.config.flopsPerStep,
    trainSeconds: wallSeconds(log.train),
    ...extra,
  });
  fs.copyFileSync(path.join(runDir, 'train-log.json'), path.join(outDir, 'train-log.json'));
  fs.copyFileSync(path.join(runDir, 'loss-curve.svg'), path.join(outDir, 'loss-curve.svg'));
  for (const v of Object.values(params)) v.dispose();
}

export async function main(flags: Record<string, string | true>): Promise<void> {
  const extra = extraFlags.parse(Object.fromEntries(Object.entries(flags).filter(([k]) => k in extraFlags.shape)));
  const cfg = extra.tiny ? MELODY_TINY_CONFIG : MELODY_DEFAULT_CONFIG;
  const common = parseTrainFlags(flags, { steps: 1400, batch: 16, seed: 1, out: 'models/checkpoints/transformer-melody' });
  const rt = await initRuntime();
  if (extra['export-only']) {
    if (!extra.export) throw new Error('--export-only needs --export DIR');
    const best = path.join(common.out, 'best');
    if (!fs.existsSync(path.join(best, 'harness-state.json'))) throw new Error(`${common.out} has no best-on-valid checkpoint yet`);
    await exportMelodyCheckpoint(best, path.resolve(extra.export), common.out, { seed: common.seed, batch: common.batch, totalSteps: common.steps });
    console.log(`exported ${best} → ${extra.export}`);
    return;
  }
  console.log(`transformer (melody-encoder) ${countMelodyParams(cfg)} params on ${rt.backend}${rt.simd ? ' simd' : ''}; ${common.steps} steps × ${common.batch}×${cfg.maxLen} steps → ${common.out}`);
  const { summary, params } = await trainMelody({
    cfg,
    steps: common.steps,
    batch: common.batch,
    seed: common.seed,
    out: common.out,
    resume: common.resume,
    lr: extra.lr ?? 1e-3,
    maxTranspose: extra['max-transpose'] ?? MAX_TRANSPOSE,
    validateEvery: common.validateEvery,
    checkpointEvery: common.checkpointEvery,
    validChorales: extra['valid-chorales'] ?? 76,
    progress: common.progress,
  });
  for (const v of Object.values(params)) v.dispose();
  console.log(`done: ${summary.completedSteps} steps in ${summary.seconds.toFixed(0)} s, best ${JSON.stringify(summary.best)}`);
  if (extra.export && !summary.interrupted && summary.bestDir) {
    await exportMelodyCheckpoint(summary.bestDir, path.resolve(extra.export), common.out, { seed: common.seed, batch: common.batch, totalSteps: common.steps });
    console.log(`exported ${summary.bestDir} → ${extra.export}`);
  }
}

// `npm run train -- transformer [--attention relative|absolute] [--steps N --batch B --seed S
// --out DIR --lr X --export DIR --tiny]`: trains the decoder on random windows of the JSB train
// split (±6 semitone transposition kept in range), Adam with linear warm-up and cosine decay,
// gradient clipping, validation NLL on a fixed subset of the valid split. The shared harness
// gives progress, checkpoints/resume, the JSON log and the loss curve. `--export` copies the best
// validation checkpoint into a weights directory when training ends.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadJsb } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { loadOptimizer, loadVariables, saveOptimizer, saveVariables } from '../runtime/io';
import { createRng } from '../runtime/rng';
import { runTraining, type TrainSummary } from '../train/harness';
import { parseTrainFlags } from '../train/flags';
import { ATTENTION_KINDS, DEFAULT_CONFIG, TINY_CONFIG, type TransformerConfig } from './config';
import { evalBatches, sampleBatch, type TokenBatch } from './encoding';
import { nllLoss } from './loss';
import { countParams, forward, initParams, type Params } from './network';
import { datasetNll } from './nll';
import { wallSeconds } from './eval';
import { saveWeights } from './weights';

const extraFlags = z.object({
  attention: z.enum(ATTENTION_KINDS).optional(),
  lr: z.coerce.number().positive().max(1).optional(),
  export: z.string().min(1).optional(),
  tiny: z.literal(true).optional(),
  'valid-chorales': z.coerce.number().int().positive().optional(),
});

export interface TrainOptions {
  cfg: TransformerConfig;
  steps: number;
  batch: number;
  seed: number;
  out: string;
  resume: boolean;
  lr: number;
  validateEvery?: number;
  checkpointEvery?: number;
  validChorales: number;
  progress?: 'auto' | 'tty' | 'lines' | 'off';
}

/** Learning rate at a step: linear warm-up, then cosine decay to 10 %. */
export function learningRate(step: number, total: number, peak: number): number {
  const warm = Math.min(200, Math.max(1, Math.floor(total / 10)));
  if (step < warm) return (peak * (step + 1)) / warm;
  const t = (step - warm) / Math.max(1, total - warm);
  return peak * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

function toTensors(b: TokenBatch) {
  return {
    inputs: tf.tensor2d(b.inputs, [b.batch, b.len], 'int32'),
    voices: tf.tensor2d(b.voices, [b.batch, b.len], 'int32'),
    targets: tf.tensor1d(b.targets, 'int32'),
    weights: tf.tensor1d(b.weights, 'float32'),
  };
}

/** One optimisation step; returns the batch loss and the pre-clipping gradient norm. */
export function trainStep(
  params: Params,
  cfg: TransformerConfig,
  opt: tf.AdamOptimizer,
  batch: TokenBatch,
  lr: number,
  clip = 1,
): { loss: number; gradNorm: number } {
  (opt as unknown as { learningRate: number }).learningRate = lr;
  return tf.tidy(() => {
    const t = toTensors(batch);
    const { value, grads } = tf.variableGrads(
      () => nllLoss(forward(params, cfg, t.inputs, t.voices, { training: true }), t.targets, t.weights),
      Object.values(params),
    );
    const norm = Math.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!);
    const scale = norm > clip ? clip / norm : 1;
    const clipped = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, scale === 1 ? g : tf.mul(g, scale)]));
    opt.applyGradients(clipped as Parameters<typeof opt.applyGradients>[0]);
    return { loss: value.dataSync()[0]!, gradNorm: norm };
  });
}

export async function train(o: TrainOptions): Promise<{ summary: TrainSummary; params: Params }> {
  const data = loadJsb();
  const rngInit = createRng(o.seed);
  const params = initParams(o.cfg, rngInit);
  const opt = tf.train.adam(o.lr, 0.9, 0.98, 1e-8);
  const validSet = evalBatches(data.valid.slice(0, o.validChorales), o.cfg.maxLen, 32);
  const tokensPerStep = o.batch * o.cfg.maxLen;
  const nParams = countParams(o.cfg);
  const summary = await runTraining(
    {
      name: `transformer-${o.cfg.attention}`,
      outDir: o.out,
      steps: o.steps,
      seed: o.seed,
      validateEvery: o.validateEvery,
      checkpointEvery: o.checkpointEvery,
      resume: o.resume,
      progress: o.progress,
      config: {
        ...o.cfg,
        params: nParams,
        batch: o.batch,
        lr: o.lr,
        tokensPerStep,
        flopsPerStep: 6 * nParams * tokensPerStep,
        validChorales: o.validChorales,
        maxTranspose: 6,
      },
    },
    {
      step: async ({ step, rng }) => {
        // Let SIGINT/SIGTERM handlers run: the harness only sees them between macrotasks.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = sampleBatch(data.train, o.batch, o.cfg.maxLen, rng, { maxTranspose: 6 });
        const lr = learningRate(step, o.steps, o.lr);
        const { loss, gradNorm } = trainStep(params, o.cfg, opt, batch, lr);
        return { loss, gradNorm, lr };
      },
      validate: () => ({ loss: datasetNll(params, o.cfg, validSet).nll }),
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

export async function main(flags: Record<string, string | true>): Promise<void> {
  // `--arch melody-encoder`: the issue-12 harmoniser (its own trainer and flags).
  if (flags.arch === 'melody-encoder') {
    const { arch: _a, ...rest } = flags;
    return (await import('./mel-train')).main(rest);
  }
  if (flags.arch !== undefined && flags.arch !== 'decoder') throw new Error(`--arch must be melody-encoder or decoder (got ${String(flags.arch)})`);
  delete flags.arch;
  const extra = extraFlags.parse(Object.fromEntries(Object.entries(flags).filter(([k]) => k in extraFlags.shape)));
  const base = extra.tiny ? TINY_CONFIG : DEFAULT_CONFIG;
  const cfg: TransformerConfig = { ...base, attention: extra.attention ?? base.attention };
  const common = parseTrainFlags(flags, { steps: 1500, batch: 16, seed: 1, out: `models/checkpoints/transformer-${cfg.attention}` });
  const rt = await initRuntime();
  console.log(
    `transformer (${cfg.attention}) ${countParams(cfg)} params on ${rt.backend}${rt.simd ? ' simd' : ''}; ${common.steps} steps × ${common.batch}×${cfg.maxLen} tokens → ${common.out}`,
  );
  const { summary, params } = await train({
    cfg,
    steps: common.steps,
    batch: common.batch,
    seed: common.seed,
    out: common.out,
    resume: common.resume,
    lr: extra.lr ?? 1.5e-3,
    validateEvery: common.validateEvery,
    checkpointEvery: common.checkpointEvery,
    validChorales: extra['valid-chorales'] ?? 24,
    progress: common.progress,
  });
  console.log(`done: ${summary.completedSteps} steps in ${summary.seconds.toFixed(0)} s, best ${JSON.stringify(summary.best)}`);
  if (extra.export && !summary.interrupted) {
    const src = summary.bestDir ?? summary.checkpointDir;
    loadVariables(src, 'variables', params);
    const nParams = countParams(cfg);
    const log = JSON.parse(fs.readFileSync(summary.logFile, 'utf8')) as { train: Array<{ elapsedSec: number }>; best: unknown };
    await saveWeights(path.resolve(extra.export), params, cfg, {
      params: nParams,
      seed: common.seed,
      steps: common.steps,
      batch: common.batch,
      bestValidation: summary.best,
      trainingTokens: common.steps * common.batch * cfg.maxLen,
      trainingFlops: 6 * nParams * common.steps * common.batch * cfg.maxLen,
      trainSeconds: wallSeconds(log.train),
    });
    fs.copyFileSync(summary.logFile, path.join(extra.export, 'train-log.json'));
    fs.copyFileSync(summary.curveFile, path.join(extra.export, 'loss-curve.svg'));
    console.log(`exported ${src} → ${extra.export}`);
  }
  for (const v of Object.values(params)) v.dispose();
}

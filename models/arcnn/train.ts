// `npm run train -- arcnn [--steps N --batch B --seed S --out DIR --fresh --tiny --lr X
// --init CHECKPOINT_DIR --no-publish]`: trains the
// AR-CNN as Coconet does (orderless NADE: per-voice softmax over pitch + rest at randomly masked
// voice-steps, ./loss) on random 4-bar windows of the JSB train split (transposed within the pitch
// window), validates the CE on fixed valid-split masks and the soprano-only NLL on valid chorales,
// keeps the checkpoint with the lowest valid CE, and, at the end, copies it with the log and the
// loss curve into models/weights/arcnn (unless --no-publish).
import fs from 'node:fs';
import path from 'node:path';
import { loadJsb } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { loadOptimizer, loadTensors, loadVariables, saveOptimizer, saveVariables } from '../runtime/io';
import { createRng } from '../runtime/rng';
import { checkpointPaths, runTraining, type TrainSummary } from '../train/harness';
import { parseTrainFlags } from '../train/flags';
import { DEFAULT_NET, DEFAULT_TRAIN, ROLL_PITCHES, STEPS_PER_BAR, TINY_NET, VOICES, type NetConfig } from './config';
import { makeTrainingExample, randomWindow, type TrainingExample } from './encoding';
import { maskedCeLoss } from './loss';
import { createNet, disposeNet, forward, parameterCount, type ArcnnNet } from './network';
import { WEIGHTS_DIR, saveWeights } from './weights';
import { maskedNll } from './eval';

export interface Batch {
  x: tf.Tensor4D;
  target: tf.Tensor4D;
}

export function stackExamples(examples: TrainingExample[], steps: number): Batch {
  const b = examples.length;
  const cells = steps * ROLL_PITCHES;
  // Channels follow the examples (9, or 11 with the profile and metre planes).
  const ch = examples[0]!.x.length / cells;
  const x = new Float32Array(b * cells * ch);
  const target = new Float32Array(b * cells * VOICES);
  examples.forEach((p, i) => {
    x.set(p.x, i * cells * ch);
    target.set(p.target, i * cells * VOICES);
  });
  return {
    x: tf.tensor4d(x, [b, steps, ROLL_PITCHES, ch]),
    target: tf.tensor4d(target, [b, steps, ROLL_PITCHES, VOICES]),
  };
}

export function disposeBatch(b: Batch): void {
  b.x.dispose();
  b.target.dispose();
}

export function batchLoss(net: ArcnnNet, b: Batch): tf.Scalar {
  return tf.tidy(() => maskedCeLoss(forward(net, b.x), b.target));
}

/** One Adam step on a batch; returns the loss before the update. */
export function trainStep(net: ArcnnNet, opt: tf.Optimizer, b: Batch): number {
  const { value, grads } = tf.variableGrads(() => batchLoss(net, b), [...net.vars.values()]);
  opt.applyGradients(grads);
  const loss = value.dataSync()[0]!;
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return loss;
}

export async function main(flags: Record<string, string | true>): Promise<TrainSummary> {
  const tiny = flags.tiny === true;
  const f = parseTrainFlags(flags, {
    steps: tiny ? 20 : DEFAULT_TRAIN.steps,
    batch: tiny ? 4 : DEFAULT_TRAIN.batch,
    seed: DEFAULT_TRAIN.seed,
    out: path.join('models', 'checkpoints', 'arcnn', tiny ? 'tiny' : 'main'),
  });
  const rt = await initRuntime();
  const cfg: NetConfig = tiny ? TINY_NET : DEFAULT_NET;
  const steps = DEFAULT_TRAIN.bars * STEPS_PER_BAR;
  const data = loadJsb();
  const net = createNet(cfg, f.seed);
  // --init DIR: warm start from a checkpoint; weights it lacks (a newly added branch) keep their init.
  if (typeof flags.init === 'string' && !fs.existsSync(checkpointPaths(f.out).checkpoint)) {
    const saved = loadTensors(flags.init, 'net');
    const loaded: string[] = [];
    for (const [name, v] of net.vars) {
      const t = saved[name];
      if (t && tf.util.arraysEqual(t.shape, v.shape)) (v.assign(t), loaded.push(name));
      else if (t && name === 'enc1a.w' && t.shape[2]! < v.shape[2]!) {
        // New input planes are appended last: their kernels start at zero, so the warm-started net
        // computes exactly what the checkpoint did until training teaches it to read them.
        v.assign(tf.concat([t, tf.zeros([...t.shape.slice(0, 2), v.shape[2]! - t.shape[2]!, t.shape[3]!])], 2));
        loaded.push(`${name} (+${v.shape[2]! - t.shape[2]!} zero input planes)`);
      }
    }
    Object.values(saved).forEach((t) => t.dispose());
    console.log(`arcnn: warm start from ${flags.init}: ${loaded.length}/${net.vars.size} weight tensors`);
  }
  // --lr: peak learning rate (a warm start continues from a lower one).
  const lr = typeof flags.lr === 'string' ? Number(flags.lr) : DEFAULT_TRAIN.lr;
  if (!(lr > 0 && lr < 1)) throw new Error(`--lr must be in (0, 1) (got ${String(flags.lr)})`);
  const opt = tf.train.adam(lr);
  // Fixed validation examples (windows and masks) from the valid split (never test), the same at every validation.
  const vRng = createRng(f.seed + 7);
  const valid = Array.from({ length: tiny ? 1 : 6 }, () =>
    stackExamples(Array.from({ length: 16 }, () => makeTrainingExample(randomWindow(data.valid, steps, vRng), vRng, cfg)), steps),
  );
  const vars = (): Record<string, tf.Variable> => Object.fromEntries(net.vars);
  const lrAt = (s: number): number => lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * s) / f.steps)));
  const summary = await runTraining(
    {
      name: 'arcnn',
      outDir: f.out,
      steps: f.steps,
      seed: f.seed,
      validateEvery: f.validateEvery ?? (tiny ? 10 : DEFAULT_TRAIN.validEvery),
      checkpointEvery: f.checkpointEvery ?? (tiny ? 10 : 100),
      resume: f.resume,
      progress: f.progress,
      config: { net: cfg, parameters: parameterCount(cfg), batch: f.batch, windowSteps: steps, lr, init: typeof flags.init === 'string' ? flags.init : null, schedule: 'cosine to 5%', backend: rt.backend, loss: 'Coconet orderless NADE: CE of per-voice softmax over 46 pitches + rest at masked voice-steps (40% harmonise, 40% random u~U(0,1), 20% infill blocks)' },
    },
    {
      step({ step, rng }) {
        (opt as unknown as { learningRate: number }).learningRate = lrAt(step);
        const b = stackExamples(Array.from({ length: f.batch }, () => makeTrainingExample(randomWindow(data.train, steps, rng), rng, cfg)), steps);
        try {
          return { loss: trainStep(net, opt, b), lr: lrAt(step) };
        } finally {
          disposeBatch(b);
        }
      },
      validate() {
        let s = 0;
        for (const b of valid) {
          const l = batchLoss(net, b);
          s += l.dataSync()[0]!;
          l.dispose();
        }
        // Pitch NLL of A/T/B given only the soprano (harmonising from nothing), on 16 valid chorales.
        const harm = maskedNll([net], data.valid.slice(0, tiny ? 1 : 16), 1, 1).nll[0]!;
        return { loss: s / valid.length, harm_nll: harm };
      },
      async save(dir) {
        await saveVariables(dir, 'net', vars());
        await saveOptimizer(opt, dir);
      },
      async load(dir) {
        loadVariables(dir, 'net', vars());
        await loadOptimizer(opt, dir);
      },
    },
  );
  valid.forEach(disposeBatch);
  if (!tiny && flags['no-publish'] !== true && !summary.interrupted) {
    // Publish the best validated weights (else the last) with the log and curve next to them.
    const p = checkpointPaths(f.out);
    const src = summary.bestDir ?? summary.checkpointDir;
    loadVariables(src, 'net', vars());
    await saveWeights(net, WEIGHTS_DIR, { trainedSteps: summary.best?.step ?? summary.completedSteps, seed: f.seed });
    fs.copyFileSync(p.log, path.join(WEIGHTS_DIR, 'train-log.json'));
    fs.copyFileSync(p.curve, path.join(WEIGHTS_DIR, 'loss-curve.svg'));
    console.log(`arcnn: weights from ${src} published to ${WEIGHTS_DIR}`);
  }
  disposeNet(net);
  opt.dispose();
  console.log(JSON.stringify({ model: 'arcnn', steps: summary.completedSteps, final_loss: summary.finalLoss, best: summary.best, seconds: Math.round(summary.seconds), backend: rt.backend }));
  return summary;
}

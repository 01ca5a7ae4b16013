// The shared training loop on the wasm backend: a small conv net learns (loss drops), runs are
// reproducible from the seed, an interrupted run resumes to exactly the same weights, and the
// log and loss curve land next to the checkpoint.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from '../runtime/index';
import { loadLayersModel, loadOptimizer, saveLayersModel, saveOptimizer } from '../runtime/io';
import { parseTrainFlags } from './flags';
import { runTraining, type TrainLoop } from './harness';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-harness-'));
  dirs.push(d);
  return d;
};

/** A 2-layer conv net learning a fixed 3×3 blur of random binary 8×8 images. */
function convLoop(): TrainLoop & { model: tf.Sequential; weights(): Float32Array } {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same' }),
    ],
  });
  const opt = tf.train.adam(0.01);
  const blur = tf.fill([3, 3, 1, 1], 1 / 9) as tf.Tensor4D;
  const batch = (rng: { next(): number }) =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 16 * 64 }, () => (rng.next() < 0.3 ? 1 : 0)), [16, 8, 8, 1]);
      return [x, tf.conv2d(x, blur, 1, 'same')] as const;
    });
  return {
    model,
    weights: () => Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.dataSync()))),
    step({ rng }) {
      const [x, y] = batch(rng);
      const loss = opt.minimize(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar, true)!;
      const v = loss.dataSync()[0]!;
      tf.dispose([x, y, loss]);
      return { loss: v };
    },
    validate() {
      const rng = { i: 0, next() { return ((this.i = (this.i * 1103515245 + 12345) % 2 ** 31) / 2 ** 31); } };
      const [x, y] = batch(rng);
      const l = tf.tidy(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor).dataSync()[0]!);
      tf.dispose([x, y]);
      return { loss: l };
    },
    async save(dir) {
      await saveLayersModel(model, dir);
      await saveOptimizer(opt, dir);
    },
    async load(dir) {
      const m = await loadLayersModel(dir);
      model.setWeights(m.getWeights());
      m.dispose();
      await loadOptimizer(opt, dir);
    },
  };
}

beforeAll(async () => {
  expect((await initRuntime({ backend: 'wasm' })).backend).toBe('wasm');
});
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('training harness on wasm', () => {
  it('a small conv/transposed-conv net learns: loss drops; log, curve and checkpoint are written', async () => {
    const out = tmp();
    let loop!: ReturnType<typeof convLoop>;
    const s = await runTraining({ name: 'tiny-conv', outDir: out, steps: 60, seed: 7, validateEvery: 20, progress: 'off' }, () => (loop = convLoop()));
    const log = JSON.parse(fs.readFileSync(s.logFile, 'utf8'));
    const losses: number[] = log.train.map((e: { metrics: { loss: number } }) => e.metrics.loss);
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first * 0.5);
    expect(log.backend).toBe('wasm');
    expect(log.validation.map((v: { step: number }) => v.step)).toEqual([20, 40, 60]);
    expect(log.validation[2].metrics.loss).toBeLessThan(log.validation[0].metrics.loss);
    expect(fs.readFileSync(s.curveFile, 'utf8')).toMatch(/^<svg[\s\S]*polyline[\s\S]*<\/svg>$/);
    expect(fs.existsSync(path.join(s.checkpointDir, 'model.json'))).toBe(true);
    expect(s.best?.step).toBe(60);
    expect(log.warnings).toEqual([]);
    loop.model.dispose();
  });

  it('same seed → identical run; an interrupted run resumes to the same weights', async () => {
    const straight = tmp();
    let a!: ReturnType<typeof convLoop>;
    const sa = await runTraining({ name: 'a', outDir: straight, steps: 20, seed: 3, progress: 'off' }, () => (a = convLoop()));

    const again = tmp();
    let b!: ReturnType<typeof convLoop>;
    const sb = await runTraining({ name: 'b', outDir: again, steps: 20, seed: 3, progress: 'off' }, () => (b = convLoop()));
    expect(sb.finalLoss).toBe(sa.finalLoss);
    expect(b.weights()).toEqual(a.weights());

    const split = tmp();
    let c1!: ReturnType<typeof convLoop>;
    await runTraining({ name: 'c', outDir: split, steps: 8, seed: 3, progress: 'off' }, () => (c1 = convLoop()));
    let c2!: ReturnType<typeof convLoop>;
    const sc = await runTraining({ name: 'c', outDir: split, steps: 20, seed: 3, progress: 'off' }, () => (c2 = convLoop()));
    expect(sc.resumedFrom).toBe(8);
    expect(sc.finalLoss).toBe(sa.finalLoss);
    expect(c2.weights()).toEqual(a.weights());
    const log = JSON.parse(fs.readFileSync(sc.logFile, 'utf8'));
    expect(log.resumes).toEqual([8]);
    expect(log.train.at(-1).step).toBe(20);
    [a, b, c1, c2].forEach((l) => l.model.dispose());
  });

  it('a NaN loss stops the run with a clear error and keeps the last checkpoint', async () => {
    const out = tmp();
    let n = 0;
    const loop: TrainLoop = { step: () => ({ loss: ++n > 3 ? NaN : 1 }), save: async (d) => fs.writeFileSync(path.join(d, 'w'), String(n)), load: async () => undefined };
    await expect(runTraining({ name: 'nan', outDir: out, steps: 10, seed: 1, checkpointEvery: 2, progress: 'off' }, loop)).rejects.toThrow(/loss became NaN at step 3/);
    expect(fs.readFileSync(path.join(out, 'checkpoint', 'w'), 'utf8')).toBe('2');
  });

  it('a real SIGTERM during synchronous steps stops the run between steps with a checkpoint', async () => {
    const out = tmp();
    let n = 0;
    const loop: TrainLoop = {
      step: () => {
        if (++n === 3) process.kill(process.pid, 'SIGTERM');
        return { loss: 1 };
      },
      save: async (d) => fs.writeFileSync(path.join(d, 'w'), String(n)),
      load: async () => undefined,
    };
    const summary = await runTraining({ name: 'sig', outDir: out, steps: 5000, seed: 1, checkpointEvery: 10_000, progress: 'off' }, loop);
    expect(summary.interrupted).toBe(true);
    expect(summary.completedSteps).toBeLessThan(50);
    expect(Number(fs.readFileSync(path.join(out, 'checkpoint', 'w'), 'utf8'))).toBe(summary.completedSteps);
  });

  it('common flags parse and reject bad values', () => {
    const f = parseTrainFlags({ steps: '500', seed: '9', fresh: true, extra: 'x' }, { steps: 10, batch: 16, out: 'models/checkpoints/x' });
    expect(f).toMatchObject({ steps: 500, batch: 16, seed: 9, resume: false, progress: 'auto' });
    expect(path.isAbsolute(f.out)).toBe(true);
    expect(() => parseTrainFlags({ steps: '-3' }, { steps: 10, batch: 16, out: 'x' })).toThrow(/--steps/);
  });
});

// A tiny training run on real JSB windows lowers the held-out loss and changes the weights; the
// learning-rate schedule warms up and decays. Needs the JSB data (fails loudly without it).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadJsb } from '../data/jsb';
import { requireJsbForTests } from '../data/require-jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { TINY_CONFIG } from './config';
import { evalBatches, sampleBatch } from './encoding';
import { disposeParams, initParams } from './network';
import { datasetNll } from './nll';
import { learningRate, trainStep } from './train';

const hasJsb = requireJsbForTests('transformer training');

describe.skipIf(!hasJsb)('transformer training', () => {
  beforeAll(async () => {
    await initRuntime({ backend: 'wasm' });
  });

  it('a few dozen steps lower the validation NLL', () => {
    const data = loadJsb();
    const cfg = TINY_CONFIG;
    const params = initParams(cfg, createRng(11));
    const before0 = params.w_out!.dataSync().slice();
    const valid = evalBatches(data.valid.slice(0, 4), cfg.maxLen, 32);
    const nll0 = datasetNll(params, cfg, valid).nll;
    const opt = tf.train.adam(3e-3, 0.9, 0.98);
    const rng = createRng(5);
    const tensors = tf.memory().numTensors;
    for (let s = 0; s < 40; s++) trainStep(params, cfg, opt, sampleBatch(data.train.slice(0, 40), 16, cfg.maxLen, rng, { maxTranspose: 6 }), 3e-3);
    const nll1 = datasetNll(params, cfg, valid).nll;
    expect(nll0).toBeGreaterThan(3.5); // ≈ ln(49) for an untrained model
    expect(nll1).toBeLessThan(nll0 - 0.5);
    expect(Array.from(params.w_out!.dataSync()).some((v, i) => v !== before0[i])).toBe(true);
    // Only the optimizer's slots were added (2 moments per variable + nothing leaking per step).
    expect(tf.memory().numTensors - tensors).toBeLessThanOrEqual(2 * Object.keys(params).length + 2);
    opt.dispose();
    disposeParams(params);
  });

  it('learning rate warms up linearly, then decays by cosine to 10 %', () => {
    expect(learningRate(0, 1000, 1e-3)).toBeCloseTo(1e-5, 8);
    expect(learningRate(99, 1000, 1e-3)).toBeCloseTo(1e-3, 8);
    expect(learningRate(999, 1000, 1e-3)).toBeCloseTo(1e-4, 6);
    expect(learningRate(500, 1000, 1e-3)).toBeLessThan(1e-3);
  });
});

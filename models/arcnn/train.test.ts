// Training: the masked cross-entropy has the values its definition gives on hand-built logits
// (uniform → log 47 per masked voice-step, padding row excluded, unmasked voice-steps ignored),
// and a tiny net trained for a few steps on real JSB windows lowers it and moves its weights.
// Needs the JSB data (fails with the loader's message if absent, unless
// TUTTI_ALLOW_MISSING_DATA=1, which skips loudly).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadJsb } from '../data/jsb';
import { requireJsbForTests } from '../data/require-jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { CLASSES, REST_ROW, ROLL_PITCHES, TINY_NET, VOICES } from './config';
import { cellIndex, makeTrainingExample, randomWindow } from './encoding';
import { maskedCeLoss } from './loss';
import { createNet, disposeNet } from './network';
import { batchLoss, disposeBatch, stackExamples, trainStep } from './train';

const hasJsb = requireJsbForTests('AR-CNN training');

beforeAll(async () => {
  await initRuntime();
});

describe('AR-CNN loss', () => {
  it('is log 47 for uniform logits, ~0 when each masked voice-step is sure of its class, and ignores the rest', () => {
    const steps = 2;
    const n = steps * ROLL_PITCHES * VOICES;
    // Example 0 masks (t0, alto) = pitch row 5 and (t1, bass) = rest; example 1 masks (t1, tenor) = row 20.
    const target = new Float32Array(2 * n);
    target[cellIndex(0, 5, 1)] = 1;
    target[cellIndex(1, REST_ROW, 3)] = 1;
    target[n + cellIndex(1, 20, 2)] = 1;
    const tT = tf.tensor4d(target, [2, steps, ROLL_PITCHES, VOICES]);
    const uniform = maskedCeLoss(tf.zeros([2, steps, ROLL_PITCHES, VOICES]), tT);
    expect(uniform.dataSync()[0]).toBeCloseTo(Math.log(CLASSES), 4);
    // Huge logits on the padding row and on unmasked voice-steps change nothing.
    const noisy = new Float32Array(2 * n);
    for (let t = 0; t < steps; t++) for (let v = 0; v < VOICES; v++) noisy[cellIndex(t, REST_ROW + 1, v)] = 100;
    noisy[cellIndex(1, 7, 0)] = 100;
    expect(maskedCeLoss(tf.tensor4d(noisy, [2, steps, ROLL_PITCHES, VOICES]), tT).dataSync()[0]).toBeCloseTo(Math.log(CLASSES), 4);
    const sure = maskedCeLoss(tf.tensor4d(target.map((x) => x * 50), [2, steps, ROLL_PITCHES, VOICES]), tT);
    expect(sure.dataSync()[0]).toBeCloseTo(0, 4);
    // One voice-step with p = 1/2 on its class, the other certain: example 0 scores ln2 / 2, example 1 zero.
    const half = target.map((x) => x * 50);
    half[cellIndex(0, 6, 1)] = 50;
    const l = maskedCeLoss(tf.tensor4d(half, [2, steps, ROLL_PITCHES, VOICES]), tT);
    expect(l.dataSync()[0]).toBeCloseTo(Math.log(2) / 4, 4);
    tf.dispose([tT, uniform, sure, l]);
  });
});

describe.skipIf(!hasJsb)('AR-CNN training on JSB windows', () => {
  it('a tiny net trained for a few steps lowers the loss and changes its weights', () => {
    const data = loadJsb();
    const rng = createRng(1);
    const net = createNet(TINY_NET, 1);
    const opt = tf.train.adam(1e-2);
    const batch = stackExamples(Array.from({ length: 6 }, () => makeTrainingExample(randomWindow(data.train, 16, rng), rng)), 16);
    const w0 = net.vars.get('enc1a.w')!.dataSync().slice();
    const l0 = batchLoss(net, batch);
    const before = l0.dataSync()[0]!;
    l0.dispose();
    expect(before).toBeGreaterThan(Math.log(CLASSES) - 0.5);
    for (let i = 0; i < 12; i++) trainStep(net, opt, batch);
    const l1 = batchLoss(net, batch);
    const after = l1.dataSync()[0]!;
    l1.dispose();
    expect(after).toBeLessThan(before - 0.5);
    const w1 = net.vars.get('enc1a.w')!.dataSync();
    expect(w1.some((x, i) => x !== w0[i])).toBe(true);
    disposeBatch(batch);
    disposeNet(net);
    opt.dispose();
  });
});

// Training: the KL loss has the values its definition gives on hand-built logits, training pairs
// are well-formed, and a tiny net trained for a few steps on real JSB windows lowers the loss and
// moves its weights. Needs the JSB data (fails with the loader's message if absent, unless
// TUTTI_ALLOW_MISSING_DATA=1, which skips loudly).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadJsb } from '../data/jsb';
import { requireJsbForTests } from '../data/require-jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { ROLL_PITCHES, TINY_NET, VOICES, inChannels } from './config';
import { makeTrainingPair, randomWindow } from './encoding';
import { toggleKlLoss } from './loss';
import { createNet, disposeNet } from './network';
import { batchLoss, disposeBatch, stackPairs, trainStep } from './train';

const hasJsb = requireJsbForTests('AR-CNN training');

beforeAll(async () => {
  await initRuntime();
});

describe('AR-CNN loss', () => {
  it('is log(N/|D|) for uniform logits and ~0 when all mass sits evenly on the edit cells', () => {
    const n = 2 * 3 * 4; // [1, 2, 3, 4] cells, all editable
    const target = tf.tensor4d(Array.from({ length: n }, (_, i) => (i % 6 === 0 ? 1 : 0)), [1, 2, 3, 4]);
    const mask = tf.ones([1, 2, 3, 4]);
    const uniform = toggleKlLoss(tf.zeros([1, 2, 3, 4]), target, mask);
    expect(uniform.dataSync()[0]).toBeCloseTo(Math.log(n / 4), 5);
    const perfect = toggleKlLoss(tf.mul(target, 50), target, mask);
    expect(perfect.dataSync()[0]).toBeCloseTo(0, 4);
    // Masked-out cells get no mass even with huge logits.
    const half = tf.tensor4d(Array.from({ length: n }, (_, i) => (i < 12 ? 1 : 0)), [1, 2, 3, 4]);
    const t2 = tf.tensor4d(Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0)), [1, 2, 3, 4]);
    const logits = tf.tensor4d(Array.from({ length: n }, (_, i) => (i >= 12 ? 100 : 0)), [1, 2, 3, 4]);
    expect(toggleKlLoss(logits, t2, half).dataSync()[0]).toBeCloseTo(Math.log(12), 4);
    tf.dispose([target, mask, uniform, perfect, half, t2, logits]);
  });
});

describe.skipIf(!hasJsb)('AR-CNN training on JSB windows', () => {
  it('makes pairs whose targets lie inside the mask and differ from the input only there', () => {
    const data = loadJsb();
    const rng = createRng(3);
    for (let i = 0; i < 20; i++) {
      const win = randomWindow(data.train, 32, rng);
      const pair = makeTrainingPair(win, rng);
      const ch = inChannels(TINY_NET);
      expect(pair.x.length).toBe(32 * ROLL_PITCHES * ch);
      let targets = 0;
      for (let c = 0; c < pair.target.length; c++) {
        if (pair.target[c]) {
          targets++;
          expect(pair.mask[c]).toBe(1);
          // target = the corrupted input differs from Bach at this cell
          const t = Math.floor(c / (ROLL_PITCHES * VOICES));
          const p = Math.floor(c / VOICES) % ROLL_PITCHES;
          const v = c % VOICES;
          expect(pair.x[(t * ROLL_PITCHES + p) * ch + v]).not.toBe(win.data[c]);
        }
      }
      expect(targets).toBeGreaterThan(0);
    }
  });

  it('a tiny net trained for a few steps lowers the loss and changes its weights', () => {
    const data = loadJsb();
    const rng = createRng(1);
    const net = createNet(TINY_NET, 1);
    const opt = tf.train.adam(1e-2);
    const batch = stackPairs(Array.from({ length: 8 }, () => makeTrainingPair(randomWindow(data.train, 32, rng), rng)), 32);
    const w0 = net.vars.get('enc1a.w')!.dataSync().slice();
    const l0 = batchLoss(net, batch);
    const before = l0.dataSync()[0]!;
    l0.dispose();
    for (let i = 0; i < 15; i++) trainStep(net, opt, batch);
    const l1 = batchLoss(net, batch);
    const after = l1.dataSync()[0]!;
    l1.dispose();
    expect(after).toBeLessThan(before - 0.2);
    const w1 = net.vars.get('enc1a.w')!.dataSync();
    expect(w1.some((x, i) => x !== w0[i])).toBe(true);
    disposeBatch(batch);
    disposeNet(net);
    opt.dispose();
  });
});

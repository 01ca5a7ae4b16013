// The melody-encoder network: shapes, causality (a future A/T/B token never changes an earlier
// logit, while a future melody note may), the encoder's receptive field, the plain-JS incremental
// decoder against the full forward pass, and a few gradient steps that fit a tiny batch.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadJsb } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { BOS_TOKEN, PAD_TOKEN } from './config';
import { toFloatParams } from './js-decoder';
import { LEVEL_OUTSIDE, MELODY_TINY_CONFIG, receptiveField, type MelodyConfig } from './mel-config';
import { melodyEvalBatches, melodyEvalWindows, sampleMelodyBatch } from './mel-encoding';
import { MelodyJsDecoder } from './mel-js-decoder';
import { countMelodyParams, encode, initMelodyParams, melodyForward, melodyParamShapes, type Params } from './mel-network';
import { melodyDatasetNll, melodyTrainStep } from './mel-train';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const cfg: MelodyConfig = { ...MELODY_TINY_CONFIG, maxLen: 12, encLayers: 2 };
const R = receptiveField(cfg);
const L = cfg.maxLen;
const W = L + 2 * R;

/** Random weights large enough that attention is neither uniform nor saturated. */
function model(seed = 3): Params {
  const params = initMelodyParams(cfg, createRng(seed));
  for (const [k, v] of Object.entries(params)) if (!k.endsWith('_g')) v.assign(tf.mul(v, k.endsWith('rel_emb') ? 20 : 10));
  return params;
}

interface Raw {
  melody: number[];
  levels: number[];
  profile: number[];
  prev: number[];
  current: number[];
}

function raw(seed: number): Raw {
  const rng = createRng(seed);
  const melody = Array.from({ length: W }, (_, j) => (j < R || j >= R + L ? PAD_TOKEN : 1 + rng.int(46)));
  const levels = melody.map((t, j) => (t === PAD_TOKEN ? LEVEL_OUTSIDE : (j - R) % 4 === 0 ? 1 : 3));
  const current = Array.from({ length: 3 * L }, () => rng.int(47));
  const prev = [BOS_TOKEN, BOS_TOKEN, BOS_TOKEN, ...current.slice(0, 3 * (L - 1))];
  return { melody, levels, profile: Array.from({ length: 12 }, (_, i) => (i % 3) / 6), prev, current };
}

function logits(params: Params, r: Raw): number[][] {
  return tf.tidy(
    () =>
      melodyForward(params, cfg, {
        melody: tf.tensor2d(r.melody, [1, W], 'int32'),
        levels: tf.tensor2d(r.levels, [1, W], 'int32'),
        profile: tf.tensor2d(r.profile, [1, 12]),
        prev: tf.tensor2d(r.prev, [L, 3], 'int32'),
        current: tf.tensor2d(r.current, [L, 3], 'int32'),
      }).arraySync() as number[][],
  );
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('melody-encoder network', () => {
  it('has the declared parameters and returns [L·3, vocab] logits', () => {
    const params = model();
    expect(Object.keys(params)).toEqual(melodyParamShapes(cfg).map(([n]) => n));
    expect(countMelodyParams(cfg)).toBe(Object.values(params).reduce((n, v) => n + v.size, 0));
    const out = logits(params, raw(1));
    expect(out.length).toBe(3 * L);
    expect(out[0]!.length).toBe(49);
    expect(out.flat().every(Number.isFinite)).toBe(true);
    Object.values(params).forEach((v) => v.dispose());
  });

  it('is causal in A/T/B: changing a token never changes the logits of it or of anything before it', () => {
    const params = model();
    const base = raw(2);
    const ref = logits(params, base);
    for (const pos of [4 * 3 + 0, 4 * 3 + 1, 4 * 3 + 2, 9 * 3 + 2]) {
      // Token at (step, voice) = pos: it is the current token there and the prev token one step later.
      const changed = { ...base, current: base.current.slice(), prev: base.prev.slice() };
      changed.current[pos] = (changed.current[pos]! + 17) % 47;
      if (pos + 3 < changed.prev.length) changed.prev[pos + 3] = changed.current[pos]!;
      const out = logits(params, changed);
      for (let i = 0; i <= pos; i++) expect(maxDiff(out[i]!, ref[i]!)).toBeLessThan(1e-4);
      // …and it does reach later logits (the model is not blind to its own past).
      expect(Math.max(...out.slice(pos + 1).map((row, k) => maxDiff(row, ref[pos + 1 + k]!)))).toBeGreaterThan(1e-3);
    }
    Object.values(params).forEach((v) => v.dispose());
  });

  it('sees the melody ahead: a melody note a few steps in the future changes the current logits', () => {
    const params = model();
    const base = raw(3);
    const ref = logits(params, base);
    const changed = { ...base, melody: base.melody.slice() };
    changed.melody[R + 5] = ((changed.melody[R + 5]! + 7) % 46) + 1; // step 5
    const out = logits(params, changed);
    // Steps 2..4 (the A, T and B logits) see step 5's melody note through the encoder.
    expect(maxDiff(out.slice(2 * 3, 5 * 3).flat(), ref.slice(2 * 3, 5 * 3).flat())).toBeGreaterThan(1e-3);
    Object.values(params).forEach((v) => v.dispose());
  });

  it('encoder output at t depends only on melody steps t-R..t+R', () => {
    const params = model();
    const r = raw(4);
    const enc = (m: number[]) => tf.tidy(() => encode(params, cfg, { melody: tf.tensor2d(m, [1, W], 'int32'), levels: tf.tensor2d(r.levels, [1, W], 'int32'), profile: tf.tensor2d(r.profile, [1, 12]) }).arraySync()[0]!);
    const a = enc(r.melody);
    const m2 = r.melody.slice();
    const j = R + 6;
    m2[j] = (m2[j]! % 46) + 1;
    const b = enc(m2);
    for (let t = 0; t < W; t++) {
      const d = maxDiff(a[t]!, b[t]!);
      if (Math.abs(t - j) > R) expect(d).toBeLessThan(1e-5);
    }
    expect(maxDiff(a[j + R]!, b[j + R]!)).toBeGreaterThan(1e-4);
    Object.values(params).forEach((v) => v.dispose());
  });

  it('the JS incremental decoder reproduces the forward pass, also after its cache slides', () => {
    const params = model();
    const r = raw(5);
    const ref = logits(params, r);
    const encAll = tf.tidy(() => encode(params, cfg, { melody: tf.tensor2d(r.melody, [1, W], 'int32'), levels: tf.tensor2d(r.levels, [1, W], 'int32'), profile: tf.tensor2d(r.profile, [1, 12]) }).dataSync() as Float32Array);
    const d = cfg.dModel;
    const dec = new MelodyJsDecoder(toFloatParams(params), cfg);
    for (let t = 0; t < L; t++) {
      dec.step(encAll.subarray((R + t) * d, (R + t + 1) * d), r.prev.slice(3 * t, 3 * t + 3));
      const chosen = r.current.slice(3 * t, 3 * t + 3);
      for (let v = 0; v < 3; v++) expect(maxDiff(dec.logits(v, chosen), ref[3 * t + v]!)).toBeLessThan(2e-3);
    }
    // Past maxLen the cache drops its oldest step (a sliding window, as the decoder-only model's):
    // it keeps running with finite logits on a piece twice the window.
    const dec2 = new MelodyJsDecoder(toFloatParams(params), cfg);
    for (let t = 0; t < 2 * L; t++) dec2.step(encAll.subarray((R + (t % L)) * d, (R + (t % L) + 1) * d), r.prev.slice(3 * (t % L), 3 * (t % L) + 3));
    expect(Array.from(dec2.logits(2, [1, 2, 3])).every(Number.isFinite)).toBe(true);
    Object.values(params).forEach((v) => v.dispose());
  });

  it('eval windows score every step exactly once', () => {
    for (const n of [5, 12, 13, 30, 61])
      for (const len of [4, 12]) {
        const seen = new Array(n).fill(0);
        for (const w of melodyEvalWindows(n, len)) for (let t = w.scoreFrom; t < Math.min(n, w.start + len); t++) seen[t]++;
        expect(seen.every((c) => c === 1)).toBe(true);
      }
  });

  it('training lowers the loss on a fixed batch, and the dataset NLL counts 3 tokens per step', () => {
    const data = loadJsb();
    const params = initMelodyParams(cfg, createRng(1));
    const opt = tf.train.adam(3e-3, 0.9, 0.98, 1e-8);
    const batch = sampleMelodyBatch(data.train.slice(0, 4), cfg, 4, createRng(2), 6);
    const first = melodyTrainStep(params, cfg, opt, batch, 3e-3);
    expect(first.loss).toBeGreaterThan(Math.log(49) - 1);
    expect(Number.isFinite(first.gradNorm) && first.gradNorm > 0).toBe(true);
    let last = first.loss;
    for (let i = 0; i < 40; i++) last = melodyTrainStep(params, cfg, opt, batch, 3e-3).loss;
    expect(last).toBeLessThan(first.loss * 0.6);
    const ch = data.valid.slice(0, 2);
    const r = melodyDatasetNll(params, cfg, melodyEvalBatches(ch, cfg, 8));
    expect(r.tokens).toBe(3 * (ch[0]!.length + ch[1]!.length));
    expect(Number.isFinite(r.nll)).toBe(true);
    opt.dispose();
    Object.values(params).forEach((v) => v.dispose());
  });
});

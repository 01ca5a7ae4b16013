// The attention maths: skewing equals naive relative attention, and incremental decoding (tfjs
// key/value cache and the plain-JS decoder) reproduces the full forward pass's logits.
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import type { TransformerConfig } from './config';
import { voiceOfPosition } from './encoding';
import { JsDecoder, toFloatParams } from './js-decoder';
import { createDecoder } from './sampler';
import { disposeCache, disposeParams, emptyCache, forward, initParams, skew, step, type Params } from './network';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const cfgOf = (attention: 'relative' | 'absolute'): TransformerConfig => ({ dModel: 16, heads: 2, layers: 2, dFF: 24, maxLen: 12, attention, dropout: 0 });

/** Random weights big enough that attention is neither uniform nor saturated. */
function model(cfg: TransformerConfig, seed = 3): Params {
  const params = initParams(cfg, createRng(seed));
  for (const [k, v] of Object.entries(params)) v.assign(tf.mul(v, k.endsWith('rel_emb') ? 60 : 8));
  return params;
}

function sequence(len: number): { tokens: number[]; voices: number[] } {
  const tokens = Array.from({ length: len }, (_, i) => (i === 0 ? 47 : ((i * 7 + 3) % 46) + 1));
  return { tokens, voices: tokens.map((_, i) => voiceOfPosition(i)) };
}

function fullLogits(params: Params, cfg: TransformerConfig, len: number, naiveRelative = false): number[][] {
  const { tokens, voices } = sequence(len);
  return tf.tidy(() => forward(params, cfg, tf.tensor2d(tokens, [1, len], 'int32'), tf.tensor2d(voices, [1, len], 'int32'), { naiveRelative }).arraySync() as number[][]);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('relative attention skewing', () => {
  it('skew(Q·Erᵀ) puts q_i·Er[L-1+j-i] at (i, j) for every j ≤ i', () => {
    const L = 5;
    const qe = tf.tensor4d(Array.from({ length: 2 * L * L }, (_, i) => i + 1), [1, 2, L, L]);
    const s = skew(qe).arraySync()[0]!;
    const raw = qe.arraySync()[0]!;
    for (let h = 0; h < 2; h++) for (let i = 0; i < L; i++) for (let j = 0; j <= i; j++) expect(s[h]![i]![j]).toBe(raw[h]![i]![L - 1 + j - i]);
    qe.dispose();
  });

  it('gives the same logits as naive O(L²·D) relative attention', () => {
    const cfg = cfgOf('relative');
    const params = model(cfg);
    for (const len of [1, 5, 12]) {
      const a = fullLogits(params, cfg, len);
      const b = fullLogits(params, cfg, len, true);
      expect(maxDiff(a.flat(), b.flat())).toBeLessThan(1e-3);
    }
    // The relative term matters: zeroing Er changes the logits.
    const withEr = fullLogits(params, cfg, 12).flat();
    for (let l = 0; l < cfg.layers; l++) params[`l${l}.rel_emb`]!.assign(tf.zerosLike(params[`l${l}.rel_emb`]!));
    expect(maxDiff(withEr, fullLogits(params, cfg, 12).flat())).toBeGreaterThan(1e-2);
    disposeParams(params);
  });
});

describe('incremental decoding', () => {
  for (const attention of ['relative', 'absolute'] as const) {
    it(`${attention}: tfjs KV cache and JS decoder reproduce the full forward logits`, () => {
      const cfg = cfgOf(attention);
      const params = model(cfg, 5);
      const len = cfg.maxLen;
      const full = fullLogits(params, cfg, len);
      const { tokens, voices } = sequence(len);
      const cache = emptyCache();
      const js = new JsDecoder(toFloatParams(params), cfg);
      const before = tf.memory().numTensors;
      for (let i = 0; i < len; i++) {
        const t = step(params, cfg, cache, Int32Array.of(tokens[i]!), Int32Array.of(voices[i]!));
        const inc = t.dataSync();
        t.dispose();
        const scale = Math.max(1, ...full[i]!.map(Math.abs));
        expect(maxDiff(inc, full[i]!) / scale).toBeLessThan(1e-4);
        expect(maxDiff(js.feed(tokens[i]!, voices[i]!), full[i]!) / scale).toBeLessThan(1e-4);
      }
      // The cache holds one key and one value tensor per layer and nothing else.
      expect(tf.memory().numTensors).toBe(before + 2 * cfg.layers);
      disposeCache(cache);
      disposeParams(params);
    });
  }

  it('relative cache slides past maxLen without growing; JS and tfjs decoders agree there too', () => {
    const cfg = cfgOf('relative');
    const params = model(cfg, 7);
    const cache = emptyCache();
    const js = new JsDecoder(toFloatParams(params), cfg);
    const { tokens } = sequence(3 * cfg.maxLen);
    for (let i = 0; i < tokens.length; i++) {
      const t = step(params, cfg, cache, Int32Array.of(tokens[i]!), Int32Array.of(i % 4));
      const a = t.dataSync();
      t.dispose();
      expect(maxDiff(a, js.feed(tokens[i]!, i % 4)) / Math.max(1, ...Array.from(a, Math.abs))).toBeLessThan(1e-4);
    }
    expect(cache.keys[0]!.shape[2]).toBe(cfg.maxLen);
    disposeCache(cache);
    disposeParams(params);
  });

  it('absolute positions: both decoders re-prime the same way once the window is full', () => {
    const cfg = cfgOf('absolute');
    const params = model(cfg, 9);
    const a = createDecoder({ params, cfg }, 'tfjs');
    const b = createDecoder({ params, cfg }, 'js');
    const { tokens } = sequence(3 * cfg.maxLen);
    for (let i = 0; i < tokens.length; i++) {
      const x = a.feed(tokens[i]!, i % 4);
      expect(maxDiff(x, b.feed(tokens[i]!, i % 4)) / Math.max(1, ...Array.from(x, Math.abs))).toBeLessThan(1e-4);
    }
    a.dispose();
    b.dispose();
    disposeParams(params);
  });
});

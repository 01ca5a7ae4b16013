// The network: a pre-LayerNorm decoder-only transformer (Vaswani et al. 2017) over SATB tokens.
// Input = token embedding + learned voice embedding (S/A/T/B/BOS) [+ learned absolute position
// embedding in the ablation variant]. Attention is either plain (absolute) or relative with the
// Music Transformer's memory-efficient "skewing" (Huang et al. 2019, §3.4.1): Srel = skew(Q·Erᵀ)
// costs O(L·D) extra memory instead of materialising an O(L²·D) tensor of per-pair embeddings.
// Embedding look-ups are one-hot matmuls: the vocabulary is 48 tokens, and it avoids the gather
// gradient (UnsortedSegmentSum), which the wasm backend lacks.
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { headDim, VOCAB_SIZE, VOICE_COUNT, type TransformerConfig } from './config';

export type Params = Record<string, tf.Variable>;

/** Names and shapes of every trainable tensor, in a fixed order (weights files rely on it). */
export function paramShapes(cfg: TransformerConfig): [string, number[]][] {
  const d = cfg.dModel;
  const shapes: [string, number[]][] = [
    ['tok_emb', [VOCAB_SIZE, d]],
    ['voice_emb', [VOICE_COUNT, d]],
  ];
  if (cfg.attention === 'absolute') shapes.push(['pos_emb', [cfg.maxLen, d]]);
  for (let l = 0; l < cfg.layers; l++) {
    shapes.push(
      [`l${l}.ln1_g`, [d]],
      [`l${l}.ln1_b`, [d]],
      [`l${l}.w_qkv`, [d, 3 * d]],
      [`l${l}.b_qkv`, [3 * d]],
      [`l${l}.w_o`, [d, d]],
      [`l${l}.b_o`, [d]],
      [`l${l}.ln2_g`, [d]],
      [`l${l}.ln2_b`, [d]],
      [`l${l}.w_1`, [d, cfg.dFF]],
      [`l${l}.b_1`, [cfg.dFF]],
      [`l${l}.w_2`, [cfg.dFF, d]],
      [`l${l}.b_2`, [d]],
    );
    // Relative embeddings Er, shared by the heads of a layer: row maxLen-1-r is distance r back.
    if (cfg.attention === 'relative') shapes.push([`l${l}.rel_emb`, [cfg.maxLen, headDim(cfg)]]);
  }
  shapes.push(['ln_f_g', [d]], ['ln_f_b', [d]], ['w_out', [d, VOCAB_SIZE]], ['b_out', [VOCAB_SIZE]]);
  return shapes;
}

export function countParams(cfg: TransformerConfig): number {
  return paramShapes(cfg).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
}

let instances = 0;
/** tfjs variable names are global; every model instance gets its own prefix. */
export function variablePrefix(): string {
  return `transformer${++instances}`;
}

/** Small-normal init (GPT-2 style); residual projections scaled by 1/√(2·layers); gains 1, biases 0. */
export function initParams(cfg: TransformerConfig, rng: Rng): Params {
  const params: Params = {};
  const prefix = variablePrefix();
  for (const [name, shape] of paramShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const base = name.split('.').pop()!;
    if (base.endsWith('_g')) values.fill(1);
    else if (!base.startsWith('b_') && !base.endsWith('_b')) {
      const std = base === 'w_o' || base === 'w_2' ? 0.02 / Math.sqrt(2 * cfg.layers) : 0.02;
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    params[name] = tf.variable(tf.tensor(values, shape), true, `${prefix}/${name}`);
  }
  return params;
}

export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

function p(params: Params, name: string): tf.Tensor {
  const t = params[name];
  if (!t) throw new Error(`transformer weights lack "${name}"`);
  return t;
}

/**
 * x [N, K] · w [K, N'] with both products of the backward pass also written as plain,
 * non-transposed 2-D matmuls. The wasm backend only routes that form to XNNPACK (~30 GFLOP/s
 * here); transposed or batched forms fall to a scalar loop 5–40x slower (measured in this repo:
 * 7 ms vs 114 ms / 353 ms for 4096×96·96×288), and tfjs's stock matMul gradient uses exactly them.
 */
export const linear = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor2D;
}

/**
 * The skewing procedure: from QErᵀ [.., L, L] (column c = relative distance c-(L-1)) to Srel
 * [.., L, L] with Srel[i, j] = QErᵀ[i, L-1+j-i] for j ≤ i (entries above the diagonal are junk
 * and are masked later). Pad one column on the left, reshape to [L+1, L], drop the first row.
 */
export function skew(qe: tf.Tensor4D): tf.Tensor4D {
  const [b, h, l] = qe.shape;
  const padded = tf.pad(qe, [
    [0, 0],
    [0, 0],
    [0, 0],
    [1, 0],
  ]);
  const reshaped = tf.reshape(padded, [b, h, l + 1, l]);
  return tf.slice(reshaped, [0, 0, 1, 0], [b, h, l, l]) as tf.Tensor4D;
}

function causalMask(l: number): tf.Tensor2D {
  const m = new Float32Array(l * l);
  for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) m[i * l + j] = -1e9;
  return tf.tensor2d(m, [l, l]);
}

function embed(params: Params, cfg: TransformerConfig, tokens: tf.Tensor, voices: tf.Tensor, positions: tf.Tensor | null): tf.Tensor2D {
  const n = tokens.size;
  const tok = linear(tf.oneHot(tf.reshape(tokens, [n]) as tf.Tensor1D, VOCAB_SIZE).toFloat() as tf.Tensor2D, p(params, 'tok_emb') as tf.Tensor2D);
  const voice = linear(tf.oneHot(tf.reshape(voices, [n]) as tf.Tensor1D, VOICE_COUNT).toFloat() as tf.Tensor2D, p(params, 'voice_emb') as tf.Tensor2D);
  let x: tf.Tensor2D = tf.add(tok, voice);
  if (cfg.attention === 'absolute') {
    if (!positions) throw new Error('absolute attention needs positions');
    const pos = linear(tf.oneHot(tf.reshape(positions, [n]) as tf.Tensor1D, cfg.maxLen).toFloat() as tf.Tensor2D, p(params, 'pos_emb') as tf.Tensor2D);
    x = tf.add(x, pos) as tf.Tensor2D;
  }
  return x;
}

function feedForward(params: Params, l: number, x: tf.Tensor2D, dropout: number): tf.Tensor2D {
  const h = layerNorm(x, p(params, `l${l}.ln2_g`), p(params, `l${l}.ln2_b`));
  const a = tf.relu(tf.add(linear(h, p(params, `l${l}.w_1`) as tf.Tensor2D), p(params, `l${l}.b_1`)));
  let y = tf.add(linear(a as tf.Tensor2D, p(params, `l${l}.w_2`) as tf.Tensor2D), p(params, `l${l}.b_2`)) as tf.Tensor2D;
  if (dropout > 0) y = tf.dropout(y, dropout) as tf.Tensor2D;
  return tf.add(x, y) as tf.Tensor2D;
}

function project(params: Params, x: tf.Tensor2D): tf.Tensor2D {
  const h = layerNorm(x, p(params, 'ln_f_g'), p(params, 'ln_f_b'));
  return tf.add(linear(h, p(params, 'w_out') as tf.Tensor2D), p(params, 'b_out')) as tf.Tensor2D;
}

/** q,k,v of [B*L, d] activations as [B, H, L, dh] each. */
function splitHeads(params: Params, cfg: TransformerConfig, l: number, h: tf.Tensor2D, b: number, len: number): tf.Tensor4D[] {
  const qkv = tf.add(linear(h, p(params, `l${l}.w_qkv`) as tf.Tensor2D), p(params, `l${l}.b_qkv`));
  return tf.split(qkv, 3, -1).map((t) => tf.transpose(tf.reshape(t, [b, len, cfg.heads, headDim(cfg)]), [0, 2, 1, 3]) as tf.Tensor4D);
}

function mergeHeads(params: Params, cfg: TransformerConfig, l: number, o: tf.Tensor4D, b: number, len: number): tf.Tensor2D {
  const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b * len, cfg.dModel]) as tf.Tensor2D;
  return tf.add(linear(merged, p(params, `l${l}.w_o`) as tf.Tensor2D), p(params, `l${l}.b_o`)) as tf.Tensor2D;
}

export interface ForwardOptions {
  /** Dropout is applied only when training. */
  training?: boolean;
  /** Naive O(L²·D) relative attention instead of skewing (only for the equivalence test). */
  naiveRelative?: boolean;
}

/**
 * Full causal forward pass over windows [B, L] (L ≤ maxLen) of tokens, their voice ids and, for
 * the absolute variant, their positions 0..L-1. Returns logits [B·L, VOCAB].
 */
export function forward(params: Params, cfg: TransformerConfig, tokens: tf.Tensor2D, voices: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const [b, len] = tokens.shape;
  if (len > cfg.maxLen) throw new Error(`window of ${len} tokens exceeds maxLen ${cfg.maxLen}`);
  const dropout = opts.training ? cfg.dropout : 0;
  const dh = headDim(cfg);
  const scale = 1 / Math.sqrt(dh);
  const positions = cfg.attention === 'absolute' ? tf.tile(tf.range(0, len, 1, 'int32').reshape([1, len]), [b, 1]) : null;
  let x = embed(params, cfg, tokens, voices, positions);
  const mask = causalMask(len);
  for (let l = 0; l < cfg.layers; l++) {
    const h = layerNorm(x, p(params, `l${l}.ln1_g`), p(params, `l${l}.ln1_b`));
    const [q, k, v] = splitHeads(params, cfg, l, h, b, len) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    let logits = tf.matMul(q, k, false, true) as tf.Tensor4D;
    if (cfg.attention === 'relative') {
      const er = tf.slice(p(params, `l${l}.rel_emb`), [cfg.maxLen - len, 0], [len, dh]) as tf.Tensor2D;
      const srel = opts.naiveRelative ? naiveRelativeLogits(q, er) : skew(tf.reshape(linear(tf.reshape(q, [b * cfg.heads * len, dh]) as tf.Tensor2D, tf.transpose(er)), [b, cfg.heads, len, len]) as tf.Tensor4D);
      logits = tf.add(logits, srel) as tf.Tensor4D;
    }
    const weights = tf.softmax(tf.add(tf.mul(logits, scale), mask));
    let o = mergeHeads(params, cfg, l, tf.matMul(weights, v) as tf.Tensor4D, b, len);
    if (dropout > 0) o = tf.dropout(o, dropout) as tf.Tensor2D;
    x = tf.add(x, o) as tf.Tensor2D;
    x = feedForward(params, l, x, dropout);
  }
  return project(params, x);
}

/** Reference relative logits: gather an [L, L, dh] tensor of per-pair embeddings, then dot. */
function naiveRelativeLogits(q: tf.Tensor4D, er: tf.Tensor2D): tf.Tensor4D {
  const [, , len] = q.shape;
  const idx = new Int32Array(len * len);
  // Pairs above the diagonal (future keys) get row 0; they are masked anyway.
  for (let i = 0; i < len; i++) for (let j = 0; j <= i; j++) idx[i * len + j] = len - 1 + j - i;
  const r = tf.reshape(tf.gather(er, tf.tensor1d(idx, 'int32')), [len, len, er.shape[1]]);
  // Srel[b,h,i,j] = Σ_d q[b,h,i,d] · r[i,j,d]
  return tf.sum(tf.mul(tf.expandDims(q, 3), r), -1) as tf.Tensor4D;
}

/** Cached keys and values per layer, [B, H, T, dh] each, plus the absolute position reached. */
export interface KvCache {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  /** Tokens fed so far (absolute position of the next token). */
  position: number;
}

export function emptyCache(): KvCache {
  return { keys: [], values: [], position: 0 };
}

export function disposeCache(cache: KvCache): void {
  for (const t of [...cache.keys, ...cache.values]) t.dispose();
  cache.keys = [];
  cache.values = [];
}

/** Cached length in tokens. */
export function cacheLength(cache: KvCache): number {
  return cache.keys[0]?.shape[2] ?? 0;
}

/**
 * Incremental decoding: feeds one token per sequence ([B]) and returns the next-token logits
 * [B, VOCAB], replacing the cache's tensors with ones that include the new key/value. For relative
 * attention the new query's relative logits are q·Er over the last T rows of Er, i.e. exactly the
 * bottom row of the skewed matrix of a full pass. Keys/values of relative attention do not depend
 * on position, so once T reaches maxLen the oldest entry is simply dropped (a sliding window);
 * the absolute variant cannot do that and the caller must re-prime (see sampler).
 */
export function step(params: Params, cfg: TransformerConfig, cache: KvCache, tokens: Int32Array, voices: Int32Array): tf.Tensor2D {
  const b = tokens.length;
  const dh = headDim(cfg);
  const scale = 1 / Math.sqrt(dh);
  const prevLen = cacheLength(cache);
  if (cfg.attention === 'absolute' && prevLen >= cfg.maxLen) throw new Error('absolute-position cache is full; re-prime it');
  const keep = Math.min(prevLen, cfg.maxLen - 1);
  const newKeys: tf.Tensor4D[] = [];
  const newValues: tf.Tensor4D[] = [];
  const logits = tf.tidy(() => {
    const positions = cfg.attention === 'absolute' ? tf.fill([b], prevLen, 'int32') : null;
    let x = embed(params, cfg, tf.tensor1d(tokens, 'int32'), tf.tensor1d(voices, 'int32'), positions);
    for (let l = 0; l < cfg.layers; l++) {
      const h = layerNorm(x, p(params, `l${l}.ln1_g`), p(params, `l${l}.ln1_b`));
      const [q, k1, v1] = splitHeads(params, cfg, l, h, b, 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const pk = cache.keys[l];
      const pv = cache.values[l];
      const k = pk && keep > 0 ? tf.concat([tf.slice(pk, [0, 0, prevLen - keep, 0], [b, cfg.heads, keep, dh]), k1], 2) : k1;
      const v = pv && keep > 0 ? tf.concat([tf.slice(pv, [0, 0, prevLen - keep, 0], [b, cfg.heads, keep, dh]), v1], 2) : v1;
      newKeys.push(tf.keep(k as tf.Tensor4D));
      newValues.push(tf.keep(v as tf.Tensor4D));
      const t = keep + 1;
      let att = tf.matMul(q, k, false, true) as tf.Tensor4D; // [B,H,1,T]
      if (cfg.attention === 'relative') {
        const er = tf.slice(p(params, `l${l}.rel_emb`), [cfg.maxLen - t, 0], [t, dh]) as tf.Tensor2D;
        const rel = tf.matMul(tf.reshape(q, [b * cfg.heads, dh]) as tf.Tensor2D, tf.transpose(er));
        att = tf.add(att, tf.reshape(rel, [b, cfg.heads, 1, t])) as tf.Tensor4D;
      }
      const weights = tf.softmax(tf.mul(att, scale));
      x = tf.add(x, mergeHeads(params, cfg, l, tf.matMul(weights, v) as tf.Tensor4D, b, 1)) as tf.Tensor2D;
      x = feedForward(params, l, x, 0);
    }
    return project(params, x);
  });
  disposeCache(cache);
  cache.keys = newKeys;
  cache.values = newValues;
  cache.position += 1;
  return logits;
}

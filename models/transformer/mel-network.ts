// The melody-encoder network (see mel-config.ts for the layout). Everything is 2-D `linear`
// matmuls (the wasm backend's fast path, with the custom gradient in network.ts) except the
// attention products. Embeddings are one-hot matmuls (no gather gradient needed).
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { VOCAB_SIZE } from './config';
import { LEVEL_COUNT, OUT_VOICES, receptiveField, type MelodyConfig } from './mel-config';
import { layerNorm, linear, skew, variablePrefix, type Params } from './network';

export type { Params };

const V = VOCAB_SIZE;

/** Names and shapes of every trainable tensor, in a fixed order (weights files rely on it). */
export function melodyParamShapes(cfg: MelodyConfig): [string, number[]][] {
  const d = cfg.dModel;
  const dh = d / cfg.heads;
  const s: [string, number[]][] = [
    ['enc_tok', [V, d]],
    ['enc_level', [LEVEL_COUNT, d]],
    ['enc_profile', [12, d]],
  ];
  for (let i = 0; i < cfg.encLayers; i++) s.push([`e${i}.ln_g`, [d]], [`e${i}.ln_b`, [d]], [`e${i}.w_1`, [3 * d, d]], [`e${i}.b_1`, [d]], [`e${i}.w_2`, [d, d]], [`e${i}.b_2`, [d]]);
  s.push(['enc_ln_g', [d]], ['enc_ln_b', [d]], ['prev_emb', [OUT_VOICES * V, d]]);
  for (let l = 0; l < cfg.layers; l++)
    s.push(
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
      [`l${l}.rel_emb`, [cfg.maxLen, dh]],
    );
  s.push(['ln_f_g', [d]], ['ln_f_b', [d]], ['ht_cond', [V, d]], ['hb_cond', [2 * V, d]]);
  for (const h of ['ha', 'ht', 'hb']) s.push([`${h}.w_1`, [d, cfg.headHidden]], [`${h}.b_1`, [cfg.headHidden]], [`${h}.w_2`, [cfg.headHidden, V]], [`${h}.b_2`, [V]]);
  return s;
}

export function countMelodyParams(cfg: MelodyConfig): number {
  return melodyParamShapes(cfg).reduce((n, [, sh]) => n + sh.reduce((a, b) => a * b, 1), 0);
}

/** Multiply-adds per decoder step (one A/T/B triple) of the dense layers, for the throughput figures. */
export function denseMacsPerStep(cfg: MelodyConfig): number {
  const d = cfg.dModel;
  const W = (cfg.maxLen + 2 * receptiveField(cfg)) / cfg.maxLen; // encoder steps per decoder step
  const enc = W * cfg.encLayers * (3 * d * d + d * d);
  const dec = cfg.layers * (4 * d * d + 2 * d * cfg.dFF) + OUT_VOICES * V * d;
  const att = cfg.layers * (3 * cfg.maxLen * d) / 2; // QKᵀ, Q·Erᵀ, A·V over half a window on average
  const heads = OUT_VOICES * (d * cfg.headHidden + cfg.headHidden * V) + 3 * V * d;
  return enc + dec + att + heads;
}

/** Small-normal init (GPT-2 style); residual projections scaled by 1/√(2·layers); gains 1, biases 0. */
export function initMelodyParams(cfg: MelodyConfig, rng: Rng): Params {
  const params: Params = {};
  const prefix = variablePrefix();
  for (const [name, shape] of melodyParamShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const base = name.split('.').pop()!;
    if (base.endsWith('_g')) values.fill(1);
    else if (!base.startsWith('b_') && !base.endsWith('_b')) {
      const residual = (name.startsWith('l') && (base === 'w_o' || base === 'w_2')) || (name.startsWith('e') && base === 'w_2');
      const std = residual ? 0.02 / Math.sqrt(2 * (cfg.layers + cfg.encLayers)) : base === 'rel_emb' ? 0.1 : 0.02;
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    const init = tf.tensor(values, shape);
    params[name] = tf.variable(init, true, `${prefix}/${name}`);
    init.dispose(); // the variable keeps its own reference to the data
  }
  return params;
}

function p(params: Params, name: string): tf.Tensor2D {
  const t = params[name];
  if (!t) throw new Error(`melody transformer weights lack "${name}"`);
  return t as tf.Tensor2D;
}

const oneHot = (ids: tf.Tensor, depth: number): tf.Tensor2D => tf.oneHot(tf.reshape(ids, [ids.size]) as tf.Tensor1D, depth).toFloat() as tf.Tensor2D;
const affine = (params: Params, x: tf.Tensor2D, w: string, b: string): tf.Tensor2D => tf.add(linear(x, p(params, w)), p(params, b)) as tf.Tensor2D;

/** y[t] = x[t + k] along axis 1 of [B, W, d], zero outside. */
function shift(x: tf.Tensor3D, k: number): tf.Tensor3D {
  const [b, w, d] = x.shape;
  if (k === 0) return x;
  if (Math.abs(k) >= w) return tf.zeros([b, w, d]);
  const padded = tf.pad(x, [[0, 0], k > 0 ? [0, k] : [-k, 0], [0, 0]]);
  return tf.slice(padded, [0, k > 0 ? k : 0, 0], [b, w, d]) as tf.Tensor3D;
}

export interface MelodyInputs {
  /** Soprano tokens [B, W] and metrical levels [B, W]. */
  melody: tf.Tensor2D;
  levels: tf.Tensor2D;
  /** [B, 12] pitch-class profile of the whole melody. */
  profile: tf.Tensor2D;
}

/**
 * The encoder over [B, W] melody steps → [B, W, d]. Output t depends on inputs t-R..t+R only
 * (R = receptiveField), so any window with R steps of margin gives the whole-piece values.
 */
export function encode(params: Params, cfg: MelodyConfig, inp: MelodyInputs, training = false): tf.Tensor3D {
  const [b, w] = inp.melody.shape;
  const d = cfg.dModel;
  let x = tf.add(linear(oneHot(inp.melody, V), p(params, 'enc_tok')), linear(oneHot(inp.levels, LEVEL_COUNT), p(params, 'enc_level')));
  const prof = linear(inp.profile, p(params, 'enc_profile'));
  x = tf.reshape(tf.add(tf.reshape(x, [b, w, d]), tf.expandDims(prof, 1)), [b * w, d]);
  for (let i = 0; i < cfg.encLayers; i++) {
    const dil = 2 ** i;
    const y = tf.reshape(layerNorm(x as tf.Tensor2D, p(params, `e${i}.ln_g`), p(params, `e${i}.ln_b`)), [b, w, d]) as tf.Tensor3D;
    const c = tf.reshape(tf.concat([shift(y, -dil), y, shift(y, dil)], -1), [b * w, 3 * d]) as tf.Tensor2D;
    let h = affine(params, tf.relu(affine(params, c, `e${i}.w_1`, `e${i}.b_1`)), `e${i}.w_2`, `e${i}.b_2`);
    if (training && cfg.dropout > 0) h = tf.dropout(h, cfg.dropout) as tf.Tensor2D;
    x = tf.add(x, h);
  }
  return tf.reshape(layerNorm(x as tf.Tensor2D, p(params, 'enc_ln_g'), p(params, 'enc_ln_b')), [b, w, d]) as tf.Tensor3D;
}

function causalMask(l: number): tf.Tensor2D {
  const m = new Float32Array(l * l);
  for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) m[i * l + j] = -1e9;
  return tf.tensor2d(m, [l, l]);
}

/** The causal decoder over [B·L, d] step inputs → final normalised states [B·L, d]. */
export function decodeStates(params: Params, cfg: MelodyConfig, x0: tf.Tensor2D, b: number, len: number, training = false): tf.Tensor2D {
  const d = cfg.dModel;
  const H = cfg.heads;
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const drop = training ? cfg.dropout : 0;
  const mask = causalMask(len);
  let x = x0;
  for (let l = 0; l < cfg.layers; l++) {
    const h = layerNorm(x, p(params, `l${l}.ln1_g`), p(params, `l${l}.ln1_b`));
    const qkv = affine(params, h, `l${l}.w_qkv`, `l${l}.b_qkv`);
    const [q, k, v] = tf.split(qkv, 3, -1).map((t) => tf.transpose(tf.reshape(t, [b, len, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const er = tf.slice(p(params, `l${l}.rel_emb`), [cfg.maxLen - len, 0], [len, dh]) as tf.Tensor2D;
    const srel = skew(tf.reshape(linear(tf.reshape(q, [b * H * len, dh]) as tf.Tensor2D, tf.transpose(er)), [b, H, len, len]) as tf.Tensor4D);
    const att = tf.softmax(tf.add(tf.mul(tf.add(tf.matMul(q, k, false, true), srel), scale), mask));
    const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [b * len, d]) as tf.Tensor2D;
    let y = affine(params, o, `l${l}.w_o`, `l${l}.b_o`);
    if (drop > 0) y = tf.dropout(y, drop) as tf.Tensor2D;
    x = tf.add(x, y);
    const h2 = layerNorm(x, p(params, `l${l}.ln2_g`), p(params, `l${l}.ln2_b`));
    let f = affine(params, tf.relu(affine(params, h2, `l${l}.w_1`, `l${l}.b_1`)), `l${l}.w_2`, `l${l}.b_2`);
    if (drop > 0) f = tf.dropout(f, drop) as tf.Tensor2D;
    x = tf.add(x, f);
  }
  return layerNorm(x, p(params, 'ln_f_g'), p(params, 'ln_f_b'));
}

/** One output head: logits of voice `name` ∈ ha/ht/hb from its input [N, d]. */
export function head(params: Params, name: string, u: tf.Tensor2D): tf.Tensor2D {
  return affine(params, tf.relu(affine(params, u, `${name}.w_1`, `${name}.b_1`)), `${name}.w_2`, `${name}.b_2`);
}

export interface MelodyForwardInputs extends MelodyInputs {
  /** A/T/B tokens of the previous step [B·L, 3]. */
  prev: tf.Tensor2D;
  /** A/T/B tokens of this step [B·L, 3] (teacher forcing of the T and B heads). */
  current: tf.Tensor2D;
}

/**
 * Full forward pass over windows: the encoder over [B, W = L + 2R] melody steps, the decoder over
 * the central L steps. Returns logits [B·L·3, VOCAB] in (step, voice A/T/B) order.
 */
export function melodyForward(params: Params, cfg: MelodyConfig, inp: MelodyForwardInputs, training = false): tf.Tensor2D {
  const [b, w] = inp.melody.shape;
  const m = receptiveField(cfg);
  const len = w - 2 * m;
  if (len < 1 || len > cfg.maxLen) throw new Error(`encoder window ${w} gives ${len} decoder steps (want 1..${cfg.maxLen})`);
  const d = cfg.dModel;
  const enc = tf.reshape(tf.slice(encode(params, cfg, inp, training), [0, m, 0], [b, len, d]), [b * len, d]) as tf.Tensor2D;
  const x0 = tf.add(enc, linear(tf.reshape(oneHot(inp.prev, V), [b * len, OUT_VOICES * V]) as tf.Tensor2D, p(params, 'prev_emb'))) as tf.Tensor2D;
  const z = decodeStates(params, cfg, x0, b, len, training);
  const [a, t] = tf.split(inp.current, 3, 1).slice(0, 2) as [tf.Tensor2D, tf.Tensor2D];
  const la = head(params, 'ha', z);
  const lt = head(params, 'ht', tf.add(z, linear(oneHot(a, V), p(params, 'ht_cond'))) as tf.Tensor2D);
  const at = tf.reshape(oneHot(tf.concat([a, t], 1), V), [b * len, 2 * V]) as tf.Tensor2D;
  const lb = head(params, 'hb', tf.add(z, linear(at, p(params, 'hb_cond'))) as tf.Tensor2D);
  return tf.reshape(tf.stack([la, lt, lb], 1), [b * len * OUT_VOICES, V]) as tf.Tensor2D;
}

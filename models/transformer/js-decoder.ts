// Incremental decoding in plain TypeScript over Float32Arrays: the same network as network.step,
// one token at a time with a key/value cache. A decoding step of this model is ~0.3 M multiply-adds
// spread over ~100 small tensor ops; through tfjs each op costs tens of microseconds of dispatch,
// here the whole step is a few tight loops, so generation is several times faster (measured by
// `npm run bench:models -- transformer`). Tests check it against the tfjs forward pass.
import { headDim, type TransformerConfig } from './config';
import type { Params } from './network';

export type FloatParams = Record<string, Float32Array>;

/** Copies the weights out of tfjs once (read-only afterwards). */
export function toFloatParams(params: Params): FloatParams {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

function w(p: FloatParams, name: string): Float32Array {
  const a = p[name];
  if (!a) throw new Error(`transformer weights lack "${name}"`);
  return a;
}

/** out[j] (+)= Σ_i x[i]·W[i, j] + b[j] for W [n, m] row-major. */
function affine(x: Float32Array, W: Float32Array, b: Float32Array, n: number, m: number, out: Float32Array, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, m);
  for (let j = 0; j < m; j++) out[j]! += b[j]!;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * m;
    for (let j = 0; j < m; j++) out[j]! += xi * W[row + j]!;
  }
}

function layerNorm(x: Float32Array, g: Float32Array, b: Float32Array, d: number, out: Float32Array): void {
  let mean = 0;
  for (let i = 0; i < d; i++) mean += x[i]!;
  mean /= d;
  let v = 0;
  for (let i = 0; i < d; i++) v += (x[i]! - mean) ** 2;
  const r = 1 / Math.sqrt(v / d + 1e-5);
  for (let i = 0; i < d; i++) out[i] = (x[i]! - mean) * r * g[i]! + b[i]!;
}

export class JsDecoder {
  private readonly d: number;
  private readonly dh: number;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private count = 0;
  private fed: Array<[number, number]> = [];
  // Scratch buffers, reused every step.
  private readonly x: Float32Array;
  private readonly h: Float32Array;
  private readonly qkv: Float32Array;
  private readonly att: Float32Array;
  private readonly o: Float32Array;
  private readonly ff: Float32Array;
  private readonly scores: Float32Array;

  constructor(
    private readonly p: FloatParams,
    private readonly cfg: TransformerConfig,
  ) {
    this.d = cfg.dModel;
    this.dh = headDim(cfg);
    this.keys = Array.from({ length: cfg.layers }, () => new Float32Array(cfg.maxLen * this.d));
    this.values = Array.from({ length: cfg.layers }, () => new Float32Array(cfg.maxLen * this.d));
    this.x = new Float32Array(this.d);
    this.h = new Float32Array(this.d);
    this.qkv = new Float32Array(3 * this.d);
    this.att = new Float32Array(this.d);
    this.o = new Float32Array(this.d);
    this.ff = new Float32Array(cfg.dFF);
    this.scores = new Float32Array(cfg.maxLen);
  }

  /** Feeds one token and returns the next-token logits (a fresh array). */
  feed(token: number, voice: number): Float32Array {
    this.fed.push([token, voice]);
    if (this.count >= this.cfg.maxLen) {
      if (this.cfg.attention === 'absolute') this.reprime();
      else this.slide();
    }
    return this.step(token, voice);
  }

  /** Relative attention: keys/values are position-free, so the window just drops its oldest entry. */
  private slide(): void {
    const d = this.d;
    for (let l = 0; l < this.cfg.layers; l++) {
      this.keys[l]!.copyWithin(0, d, this.count * d);
      this.values[l]!.copyWithin(0, d, this.count * d);
    }
    this.count--;
  }

  /** Absolute positions: restart from the last half window, beginning at a soprano token. */
  private reprime(): void {
    const history = this.fed.slice(0, -1);
    let from = Math.max(0, history.length - Math.floor(this.cfg.maxLen / 2));
    while (from < history.length && history[from]![1] !== 0) from++;
    this.count = 0;
    for (const [t, v] of history.slice(from)) this.step(t, v);
  }

  private step(token: number, voice: number): Float32Array {
    const { cfg, p, d, dh, x, h, qkv, att, o, ff, scores } = this;
    const tok = w(p, 'tok_emb');
    const vo = w(p, 'voice_emb');
    for (let i = 0; i < d; i++) x[i] = tok[token * d + i]! + vo[voice * d + i]!;
    if (cfg.attention === 'absolute') {
      const pe = w(p, 'pos_emb');
      for (let i = 0; i < d; i++) x[i]! += pe[this.count * d + i]!;
    }
    const t = this.count + 1;
    const scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < cfg.layers; l++) {
      const K = this.keys[l]!;
      const V = this.values[l]!;
      layerNorm(x, w(p, `l${l}.ln1_g`), w(p, `l${l}.ln1_b`), d, h);
      affine(h, w(p, `l${l}.w_qkv`), w(p, `l${l}.b_qkv`), d, 3 * d, qkv);
      K.set(qkv.subarray(d, 2 * d), this.count * d);
      V.set(qkv.subarray(2 * d, 3 * d), this.count * d);
      const er = cfg.attention === 'relative' ? w(p, `l${l}.rel_emb`) : null;
      for (let hh = 0; hh < cfg.heads; hh++) {
        const off = hh * dh;
        let max = -Infinity;
        for (let j = 0; j < t; j++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += qkv[off + c]! * K[j * d + off + c]!;
          if (er) {
            // Key j sits t-1-j tokens back: Er row maxLen-1-(t-1-j).
            const row = (cfg.maxLen - t + j) * dh;
            for (let c = 0; c < dh; c++) s += qkv[off + c]! * er[row + c]!;
          }
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let z = 0;
        for (let j = 0; j < t; j++) z += scores[j] = Math.exp(scores[j]! - max);
        for (let c = 0; c < dh; c++) att[off + c] = 0;
        for (let j = 0; j < t; j++) {
          const a = scores[j]! / z;
          for (let c = 0; c < dh; c++) att[off + c]! += a * V[j * d + off + c]!;
        }
      }
      affine(att, w(p, `l${l}.w_o`), w(p, `l${l}.b_o`), d, d, o);
      for (let i = 0; i < d; i++) x[i]! += o[i]!;
      layerNorm(x, w(p, `l${l}.ln2_g`), w(p, `l${l}.ln2_b`), d, h);
      affine(h, w(p, `l${l}.w_1`), w(p, `l${l}.b_1`), d, cfg.dFF, ff);
      for (let i = 0; i < cfg.dFF; i++) if (ff[i]! < 0) ff[i] = 0;
      affine(ff, w(p, `l${l}.w_2`), w(p, `l${l}.b_2`), cfg.dFF, d, x, true);
    }
    this.count = t;
    layerNorm(x, w(p, 'ln_f_g'), w(p, 'ln_f_b'), d, h);
    const vocab = w(p, 'b_out').length;
    const logits = new Float32Array(vocab);
    affine(h, w(p, 'w_out'), w(p, 'b_out'), d, vocab, logits);
    return logits;
  }
}

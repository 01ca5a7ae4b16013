// Incremental decoding of the melody-encoder model in plain TypeScript over Float32Arrays: one
// decoder position per 16th step with a sliding key/value cache (relative attention carries no
// absolute position, so the window simply drops its oldest step past maxLen), then the A, T and B
// heads one after another so the sampler can draw (and constrain) each voice before the next.
// The encoder runs once per piece through tfjs (melody-sampler.ts). Tests check these logits
// against melodyForward.
import { VOCAB_SIZE } from './config';
import type { FloatParams } from './js-decoder';
import { OUT_VOICES, type MelodyConfig } from './mel-config';

const V = VOCAB_SIZE;

function w(p: FloatParams, name: string): Float32Array {
  const a = p[name];
  if (!a) throw new Error(`melody transformer weights lack "${name}"`);
  return a;
}

/** out[j] (+)= Σ_i x[i]·W[i, j] + b[j] for W [n, m] row-major. */
function affine(x: Float32Array, W: Float32Array, b: Float32Array | null, n: number, m: number, out: Float32Array, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, m);
  if (b) for (let j = 0; j < m; j++) out[j]! += b[j]!;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * m;
    for (let j = 0; j < m; j++) out[j]! += xi * W[row + j]!;
  }
}

/** out += row r of table [rows, d]. */
function addRow(out: Float32Array, table: Float32Array, r: number, d: number): void {
  for (let i = 0; i < d; i++) out[i]! += table[r * d + i]!;
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

export class MelodyJsDecoder {
  private readonly d: number;
  private readonly dh: number;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private count = 0;
  private readonly x: Float32Array;
  private readonly h: Float32Array;
  private readonly qkv: Float32Array;
  private readonly att: Float32Array;
  private readonly o: Float32Array;
  private readonly ff: Float32Array;
  private readonly scores: Float32Array;
  private readonly z: Float32Array;
  private readonly u: Float32Array;
  private readonly hid: Float32Array;
  /**
   * When set (the models page's "how it works" view, ./explain.ts), each step() leaves its attention
   * weights here: [layer][head][key j] at ((l * heads + h) * maxLen + j), keys 0..window-1 oldest
   * first. Null in normal sampling, which then pays nothing for it.
   */
  attention: Float32Array | null = null;

  /** Decoder positions the last step attended over (the window length). */
  get window(): number {
    return this.count;
  }

  constructor(
    private readonly p: FloatParams,
    private readonly cfg: MelodyConfig,
  ) {
    const d = (this.d = cfg.dModel);
    this.dh = d / cfg.heads;
    this.keys = Array.from({ length: cfg.layers }, () => new Float32Array(cfg.maxLen * d));
    this.values = Array.from({ length: cfg.layers }, () => new Float32Array(cfg.maxLen * d));
    this.x = new Float32Array(d);
    this.h = new Float32Array(d);
    this.qkv = new Float32Array(3 * d);
    this.att = new Float32Array(d);
    this.o = new Float32Array(d);
    this.ff = new Float32Array(cfg.dFF);
    this.scores = new Float32Array(cfg.maxLen);
    this.z = new Float32Array(d);
    this.u = new Float32Array(d);
    this.hid = new Float32Array(cfg.headHidden);
  }

  /**
   * Advances one step: `enc` is the encoder output of this step (d floats), `prev` the A/T/B tokens
   * of the previous step (BOS at the start). Afterwards `logits(v, chosen)` gives the heads.
   */
  step(enc: Float32Array, prev: readonly number[]): void {
    const { cfg, p, d, dh, x, h, qkv, att, o, ff, scores } = this;
    if (this.count >= cfg.maxLen) {
      for (let l = 0; l < cfg.layers; l++) {
        this.keys[l]!.copyWithin(0, d, this.count * d);
        this.values[l]!.copyWithin(0, d, this.count * d);
      }
      this.count--;
    }
    x.set(enc.subarray(0, d));
    const pe = w(p, 'prev_emb');
    for (let v = 0; v < OUT_VOICES; v++) addRow(x, pe, v * V + prev[v]!, d);
    const t = this.count + 1;
    const scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < cfg.layers; l++) {
      const K = this.keys[l]!;
      const Vv = this.values[l]!;
      layerNorm(x, w(p, `l${l}.ln1_g`), w(p, `l${l}.ln1_b`), d, h);
      affine(h, w(p, `l${l}.w_qkv`), w(p, `l${l}.b_qkv`), d, 3 * d, qkv);
      K.set(qkv.subarray(d, 2 * d), this.count * d);
      Vv.set(qkv.subarray(2 * d, 3 * d), this.count * d);
      const er = w(p, `l${l}.rel_emb`);
      for (let hh = 0; hh < cfg.heads; hh++) {
        const off = hh * dh;
        let max = -Infinity;
        for (let j = 0; j < t; j++) {
          let s = 0;
          const row = (cfg.maxLen - t + j) * dh; // key j is t-1-j steps back
          for (let c = 0; c < dh; c++) s += qkv[off + c]! * (K[j * d + off + c]! + er[row + c]!);
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let zsum = 0;
        for (let j = 0; j < t; j++) zsum += scores[j] = Math.exp(scores[j]! - max);
        for (let c = 0; c < dh; c++) att[off + c] = 0;
        const rec = this.attention;
        if (rec) for (let j = 0; j < t; j++) rec[(l * cfg.heads + hh) * cfg.maxLen + j] = scores[j]! / zsum;
        for (let j = 0; j < t; j++) {
          const a = scores[j]! / zsum;
          for (let c = 0; c < dh; c++) att[off + c]! += a * Vv[j * d + off + c]!;
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
    layerNorm(x, w(p, 'ln_f_g'), w(p, 'ln_f_b'), d, this.z);
  }

  /** Logits of voice v (0 = A, 1 = T, 2 = B) at the current step, given the tokens chosen for the voices before it. */
  logits(v: number, chosen: readonly number[]): Float32Array {
    const { p, d, u, hid } = this;
    u.set(this.z);
    if (v === 1) addRow(u, w(p, 'ht_cond'), chosen[0]!, d);
    if (v === 2) {
      const hb = w(p, 'hb_cond');
      addRow(u, hb, chosen[0]!, d);
      addRow(u, hb, V + chosen[1]!, d);
    }
    const name = ['ha', 'ht', 'hb'][v]!;
    affine(u, w(p, `${name}.w_1`), w(p, `${name}.b_1`), d, this.cfg.headHidden, hid);
    for (let i = 0; i < hid.length; i++) if (hid[i]! < 0) hid[i] = 0;
    const out = new Float32Array(V);
    affine(hid, w(p, `${name}.w_2`), w(p, `${name}.b_2`), this.cfg.headHidden, V, out);
    return out;
  }
}

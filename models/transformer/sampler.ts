// The sampler: autoregressive decoding with a key/value cache, so each token costs one incremental
// step rather than a re-run over the prefix. Every position of the plan is either given (forced:
// the soprano when harmonising, the context when continuing) or drawn from the model with
// temperature and nucleus (top-p) filtering. Forced tokens still go through the network, because
// later tokens attend to them.
import { GenerationAbortedError } from '../generator';
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { BOS_TOKEN, BOS_VOICE, PAD_TOKEN, VOCAB_SIZE, VOICES_PER_STEP, type TransformerConfig } from './config';
import { JsDecoder, toFloatParams, type FloatParams } from './js-decoder';
import { cacheLength, disposeCache, emptyCache, step, type KvCache, type Params } from './network';

export interface SamplingOptions {
  temperature: number;
  topP: number;
}

export interface DecodePlan {
  /** Music tokens in S,A,T,B order; a number is forced, null is sampled. */
  tokens: Array<number | null>;
  /** True when the plan starts the piece (BOS first); otherwise tokens[0] must be forced. */
  startsPiece: boolean;
}

export interface DecodeHooks {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Model {
  params: Params;
  cfg: TransformerConfig;
}

/**
 * Draws a token from logits: BOS/PAD are excluded, logits are divided by the temperature, and only
 * the smallest set of most likely tokens whose probability reaches topP is kept.
 */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  const idx: number[] = [];
  for (let i = 0; i < VOCAB_SIZE; i++) if (i !== BOS_TOKEN && i !== PAD_TOKEN) idx.push(i);
  let max = -Infinity;
  for (const i of idx) max = Math.max(max, logits[i]! / opts.temperature);
  const probs = new Map<number, number>();
  let z = 0;
  for (const i of idx) {
    const e = Math.exp(logits[i]! / opts.temperature - max);
    probs.set(i, e);
    z += e;
  }
  idx.sort((a, b) => probs.get(b)! - probs.get(a)! || a - b);
  const kept: number[] = [];
  let mass = 0;
  for (const i of idx) {
    kept.push(i);
    mass += probs.get(i)! / z;
    if (mass >= opts.topP) break;
  }
  let r = rng.next() * mass;
  for (const i of kept) {
    r -= probs.get(i)! / z;
    if (r < 0) return i;
  }
  return kept[kept.length - 1]!;
}

/** Feeds one token (with its voice id) and returns the next-token logits. */
export interface IncrementalDecoder {
  feed(token: number, voice: number): Float32Array;
  dispose(): void;
}

export type DecodeEngine = 'js' | 'tfjs';

const floatCache = new WeakMap<Params, FloatParams>();

/** The JS decoder for normal use; the tfjs one (network.step on the active backend) for reference. */
export function createDecoder(model: Model, engine: DecodeEngine = 'js'): IncrementalDecoder {
  if (engine === 'tfjs') return new TfjsDecoder(model);
  let floats = floatCache.get(model.params);
  if (!floats) floatCache.set(model.params, (floats = toFloatParams(model.params)));
  const dec = new JsDecoder(floats, model.cfg);
  return { feed: (t, v) => dec.feed(t, v), dispose: () => undefined };
}

/** tfjs incremental decoder: the cache plus what was fed (to re-prime an absolute-position cache). */
export class TfjsDecoder implements IncrementalDecoder {
  private cache: KvCache = emptyCache();
  private fed: Array<[number, number]> = [];

  constructor(private readonly model: Model) {}

  feed(token: number, voice: number): Float32Array {
    const { cfg, params } = this.model;
    this.fed.push([token, voice]);
    if (cfg.attention === 'absolute' && cacheLength(this.cache) >= cfg.maxLen) this.reprime();
    const logits = step(params, cfg, this.cache, Int32Array.of(token), Int32Array.of(voice));
    const out = logits.dataSync() as Float32Array;
    logits.dispose();
    return out;
  }

  /**
   * Absolute positions are baked into the cached keys, so a full cache cannot slide: restart it
   * from the last half window, beginning at a soprano token as training windows do.
   */
  private reprime(): void {
    const { cfg, params } = this.model;
    disposeCache(this.cache);
    this.cache = emptyCache();
    const history = this.fed.slice(0, -1);
    let from = Math.max(0, history.length - Math.floor(cfg.maxLen / 2));
    while (from < history.length && history[from]![1] !== 0) from++;
    for (const [t, v] of history.slice(from)) step(params, cfg, this.cache, Int32Array.of(t), Int32Array.of(v)).dispose();
  }

  dispose(): void {
    disposeCache(this.cache);
    this.fed = [];
  }
}

async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Runs a plan to completion; returns the full token list (forced and sampled). */
export async function decode(model: Model, plan: DecodePlan, opts: SamplingOptions, rng: Rng, hooks: DecodeHooks = {}, engine: DecodeEngine = 'js'): Promise<number[]> {
  const n = plan.tokens.length;
  if (!plan.startsPiece && n > 0 && plan.tokens[0] === null) throw new Error('a plan that does not start the piece must force its first token');
  const decoder = createDecoder(model, engine);
  const out: number[] = [];
  let logits: Float32Array | null = null;
  try {
    if (plan.startsPiece) logits = decoder.feed(BOS_TOKEN, BOS_VOICE);
    for (let k = 0; k < n; k++) {
      if (hooks.signal?.aborted) throw new GenerationAbortedError();
      const forced = plan.tokens[k];
      let tok: number;
      if (forced !== null && forced !== undefined) tok = forced;
      else tok = sampleToken(logits!, opts, rng);
      out.push(tok);
      logits = null;
      // The last token's successor is never needed.
      if (k < n - 1) logits = decoder.feed(tok, k % VOICES_PER_STEP);
      if (k % 64 === 63) {
        hooks.onProgress?.((k + 1) / n);
        await yieldToEventLoop();
      }
    }
    hooks.onProgress?.(1);
  } finally {
    decoder.dispose();
  }
  return out;
}

/**
 * Reference decoding without a cache: every new token re-runs the network over the last maxLen
 * tokens. Only for the benchmark's tokens/s comparison and tests.
 */
export function decodeWithoutCache(model: Model, plan: DecodePlan, opts: SamplingOptions, rng: Rng, forwardFn: (tokens: tf.Tensor2D, voices: tf.Tensor2D) => tf.Tensor2D): number[] {
  const seq: number[] = plan.startsPiece ? [BOS_TOKEN] : [];
  const voices: number[] = plan.startsPiece ? [BOS_VOICE] : [];
  const out: number[] = [];
  plan.tokens.forEach((forced, k) => {
    let tok: number;
    if (forced !== null && forced !== undefined) tok = forced;
    else {
      // Windows start at BOS or a soprano token, as in training.
      let from = Math.max(0, seq.length - model.cfg.maxLen);
      while (from > 0 && from < seq.length && voices[from] !== 0) from++;
      const len = seq.length - from;
      const row = tf.tidy(() => {
        const logits = forwardFn(tf.tensor2d(seq.slice(from), [1, len], 'int32'), tf.tensor2d(voices.slice(from), [1, len], 'int32'));
        return tf.slice(logits, [len - 1, 0], [1, VOCAB_SIZE]).dataSync();
      });
      tok = sampleToken(row, opts, rng);
    }
    out.push(tok);
    seq.push(tok);
    voices.push(k % VOICES_PER_STEP);
  });
  return out;
}

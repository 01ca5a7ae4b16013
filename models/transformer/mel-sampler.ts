// Harmonising with the melody-encoder model: the encoder reads the whole melody once (tfjs), then
// the plain-JS decoder walks the steps; at each step the alto, tenor and bass are drawn one after
// another from the model's own distribution with temperature and nucleus (top-p) truncation.
// With `strictVoiceLeading` (the default) a candidate pitch that would form parallel fifths or
// octaves with the melody or a voice already decided at this step is masked and the remaining
// probabilities renormalised before the top-p cut (models/decoding/voice-leading.ts, DeepBach-style constrained
// sampling); no rule ever picks a note.
import { REST } from '../data/jsb';
import { tokenToPitch } from '../data/tokens';
import { maskParallels, type Motion } from '../decoding/voice-leading';
import { GenerationAbortedError } from '../generator';
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { BOS_TOKEN, PAD_TOKEN, VOCAB_SIZE } from './config';
import { toFloatParams, type FloatParams } from './js-decoder';
import { LEVEL_OUTSIDE, OUT_VOICES, receptiveField } from './mel-config';
import type { MelodyPiece } from './mel-encoding';
import { MelodyJsDecoder } from './mel-js-decoder';
import { encode, type Params } from './mel-network';
import type { MelodyModel } from './mel-weights';

export interface MelodySampling {
  temperature: number;
  topP: number;
  strictVoiceLeading: boolean;
}

export interface MelodyHooks {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Called after each step's alto, tenor and bass are drawn, with the decoder's attention weights of
   * that step (MelodyJsDecoder.attention; valid only during the call) and its window length. Only
   * when set does the decoder record attention (the models page's "how it works", ./explain.ts).
   */
  onStep?: (t: number, tokens: readonly number[], attention: Float32Array, window: number) => void;
}

/** Candidate tokens: rest and the 46 pitches (BOS and PAD are never drawn). */
const CANDIDATES = VOCAB_SIZE - 2;
const pitchOfCandidate = (k: number): number => tokenToPitch(k);

/** Probabilities over the candidate tokens at a temperature. */
export function temperedProbs(logits: ArrayLike<number>, temperature: number): Float64Array {
  const probs = new Float64Array(CANDIDATES);
  let max = -Infinity;
  for (let k = 0; k < CANDIDATES; k++) max = Math.max(max, logits[k]! / temperature);
  let z = 0;
  for (let k = 0; k < CANDIDATES; k++) z += probs[k] = Math.exp(logits[k]! / temperature - max);
  for (let k = 0; k < CANDIDATES; k++) probs[k]! /= z;
  return probs;
}

/**
 * Nucleus truncation in place: the smallest set of the most likely candidates whose mass reaches
 * topP keeps its (renormalised) probabilities, the rest become 0.
 */
export function nucleus(probs: Float64Array, topP: number): Float64Array {
  if (topP >= 1) return probs;
  const n = probs.length;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => probs[b]! - probs[a]! || a - b);
  let mass = 0;
  let cut = n;
  for (let i = 0; i < n; i++) {
    mass += probs[order[i]!]!;
    if (mass >= topP) {
      cut = i + 1;
      break;
    }
  }
  for (let i = cut; i < n; i++) probs[order[i]!] = 0;
  for (let k = 0; k < n; k++) probs[k]! /= mass;
  return probs;
}

/** Temperature, then top-p (no voice-leading constraint). */
export function truncatedProbs(logits: ArrayLike<number>, temperature: number, topP: number): Float64Array {
  return nucleus(temperedProbs(logits, temperature), topP);
}

/** Draws an index from (possibly unnormalised) non-negative weights. */
export function drawIndex(weights: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let k = 0; k < weights.length; k++) total += weights[k]!;
  let r = rng.next() * total;
  let last = 0;
  for (let k = 0; k < weights.length; k++) {
    if (weights[k]! <= 0) continue;
    last = k;
    r -= weights[k]!;
    if (r < 0) return k;
  }
  return last;
}

const floatCache = new WeakMap<Params, FloatParams>();
function floatsOf(params: Params): FloatParams {
  let f = floatCache.get(params);
  if (!f) floatCache.set(params, (f = toFloatParams(params)));
  return f;
}

/** Encoder output for every step of the piece, [N·d] (R steps of PAD margin on both sides). */
export function encodePiece(model: MelodyModel, piece: MelodyPiece): Float32Array {
  const { cfg, params } = model;
  const n = piece.melody.length;
  const r = receptiveField(cfg);
  const w = n + 2 * r;
  const melody = new Int32Array(w).fill(PAD_TOKEN);
  const levels = new Int32Array(w).fill(LEVEL_OUTSIDE);
  melody.set(piece.melody, r);
  levels.set(piece.levels, r);
  return tf.tidy(() => {
    const enc = encode(params, cfg, { melody: tf.tensor2d(melody, [1, w], 'int32'), levels: tf.tensor2d(levels, [1, w], 'int32'), profile: tf.tensor2d(piece.profile, [1, 12]) });
    return tf.slice(enc, [0, r, 0], [1, n, cfg.dModel]).dataSync() as Float32Array;
  });
}

/**
 * Alto, tenor and bass lines (MIDI or REST per step) for a melody piece whose soprano tokens are
 * in the model's range. `melodyPitches` are the same notes as MIDI (for the voice-leading check).
 */
export async function sampleHarmony(model: MelodyModel, piece: MelodyPiece, opts: MelodySampling, rng: Rng, hooks: MelodyHooks = {}): Promise<number[][]> {
  const { cfg } = model;
  const n = piece.melody.length;
  const d = cfg.dModel;
  const enc = encodePiece(model, piece);
  const dec = new MelodyJsDecoder(floatsOf(model.params), cfg);
  if (hooks.onStep) dec.attention = new Float32Array(cfg.layers * cfg.heads * cfg.maxLen);
  const melody = Array.from(piece.melody, (t) => tokenToPitch(t));
  const lines: number[][] = [[], [], []];
  let prev = [BOS_TOKEN, BOS_TOKEN, BOS_TOKEN];
  for (let t = 0; t < n; t++) {
    if (hooks.signal?.aborted) throw new GenerationAbortedError();
    dec.step(enc.subarray(t * d, (t + 1) * d), prev);
    const chosen: number[] = [];
    for (let v = 0; v < OUT_VOICES; v++) {
      // Temperature, then the constraint (masked candidates out, the rest renormalised), then top-p
      // on what remains: truncating first could leave only forbidden candidates, and the mask's
      // fallback would then let a parallel through.
      const probs = temperedProbs(dec.logits(v, chosen), opts.temperature);
      if (opts.strictVoiceLeading && t > 0) {
        const others: Motion[] = [{ prev: melody[t - 1]!, cur: melody[t]! }];
        for (let u = 0; u < v; u++) others.push({ prev: lines[u]![t - 1]!, cur: lines[u]![t]! });
        maskParallels(probs, pitchOfCandidate, lines[v]![t - 1]!, others);
      }
      const tok = drawIndex(nucleus(probs, opts.topP), rng);
      chosen.push(tok);
      lines[v]!.push(tokenToPitch(tok));
    }
    prev = chosen;
    if (hooks.onStep) hooks.onStep(t, chosen, dec.attention!, dec.window);
    if (t % 32 === 31) {
      hooks.onProgress?.((t + 1) / n);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  hooks.onProgress?.(1);
  return lines;
}

export { REST };

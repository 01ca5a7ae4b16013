// Chorales → model inputs. A piece is the sequence [BOS, S₀, A₀, T₀, B₀, S₁, …] (the paper's
// serialisation plus one unscored BOS). Training windows of `len` inputs start either at BOS or at
// a soprano token, so every window begins on a step boundary; each input carries its voice id
// (S/A/T/B, or BOS) for the voice embedding. Evaluation covers every token of a piece with
// overlapping windows, each token scored once with at least half a window of context.
import type { Chorale } from '../data/jsb';
import { choraleToTokens } from '../data/tokens';
import { transposeChorale, transpositionRange } from '../data/windows';
import type { Rng } from '../runtime/rng';
import { BOS_TOKEN, BOS_VOICE, PAD_TOKEN, VOICES_PER_STEP } from './config';

/** A batch of B windows of L inputs, flattened row-major ([B·L]). */
export interface TokenBatch {
  batch: number;
  len: number;
  inputs: Int32Array;
  voices: Int32Array;
  targets: Int32Array;
  /** 1 = scored target, 0 = padding / already scored. */
  weights: Float32Array;
}

/** Voice id of position j of a BOS-prefixed sequence. */
export function voiceOfPosition(j: number): number {
  return j === 0 ? BOS_VOICE : (j - 1) % VOICES_PER_STEP;
}

/** [BOS, tokens…] of a chorale. */
export function pieceSequence(ch: Chorale): number[] {
  return [BOS_TOKEN, ...choraleToTokens(ch)];
}

/** Transposition chosen uniformly among |t| ≤ maxTranspose that keep every note in range. */
export function randomTransposition(ch: Chorale, maxTranspose: number, rng: Rng): number {
  const [lo, hi] = transpositionRange(ch);
  const a = Math.max(-maxTranspose, lo);
  const b = Math.min(maxTranspose, hi);
  return b < a ? 0 : a + rng.int(b - a + 1);
}

export interface SampleOptions {
  maxTranspose: number;
}

/**
 * Random training windows. Chorales are drawn in proportion to their length (so every token is
 * equally likely to be seen), window starts uniformly among BOS and all soprano positions that
 * leave room for a full window.
 */
export function sampleBatch(chorales: readonly Chorale[], batch: number, len: number, rng: Rng, opts: SampleOptions): TokenBatch {
  const cum: number[] = [];
  let total = 0;
  for (const ch of chorales) cum.push((total += ch.length));
  const out = emptyBatch(batch, len);
  for (let b = 0; b < batch; b++) {
    const r = rng.next() * total;
    let i = 0;
    while (cum[i]! <= r) i++;
    const ch = chorales[i]!;
    const seq = pieceSequence(transposeChorale(ch, randomTransposition(ch, opts.maxTranspose, rng)));
    // Valid starts: 0 (BOS) and 1 + 4k, with start + len + 1 ≤ seq.length.
    const lastK = Math.floor((seq.length - len - 2) / VOICES_PER_STEP);
    if (lastK < 0) throw new Error(`chorale ${i} is shorter than a ${len}-token window`);
    const pick = rng.int(lastK + 2);
    const start = pick === 0 ? 0 : 1 + (pick - 1) * VOICES_PER_STEP;
    fillRow(out, b, seq, start, len, 0);
  }
  return out;
}

function emptyBatch(batch: number, len: number): TokenBatch {
  return {
    batch,
    len,
    inputs: new Int32Array(batch * len).fill(PAD_TOKEN),
    voices: new Int32Array(batch * len),
    targets: new Int32Array(batch * len).fill(PAD_TOKEN),
    weights: new Float32Array(batch * len),
  };
}

/** Row b ← inputs seq[start..start+len), targets one ahead; targets before scoreFrom get weight 0. */
function fillRow(out: TokenBatch, b: number, seq: readonly number[], start: number, len: number, scoreFrom: number): void {
  for (let j = 0; j < len; j++) {
    const src = start + j;
    const o = b * len + j;
    if (src + 1 >= seq.length) break;
    out.inputs[o] = seq[src]!;
    out.voices[o] = voiceOfPosition(src);
    out.targets[o] = seq[src + 1]!;
    out.weights[o] = src + 1 >= scoreFrom ? 1 : 0;
  }
}

/** One evaluation window: where it starts in the piece and from which position it scores. */
export interface EvalWindow {
  start: number;
  scoreFrom: number;
}

/**
 * Windows covering targets 1..n-1 of a sequence of n tokens: the first from BOS, the rest hop by
 * len/2 (rounded to whole steps) and score only the targets the previous window did not reach.
 */
export function evalWindows(seqLength: number, len: number): EvalWindow[] {
  const out: EvalWindow[] = [{ start: 0, scoreFrom: 1 }];
  let covered = len; // targets 1..len are scored by the first window
  const hop = Math.max(VOICES_PER_STEP, Math.floor(len / 2 / VOICES_PER_STEP) * VOICES_PER_STEP);
  while (covered < seqLength - 1) {
    // First step-aligned start whose window reaches the next hop of targets (the last window may
    // run past the end; those rows are padding with weight 0, harmless under a causal mask).
    const wantEnd = Math.min(seqLength - 1, covered + hop);
    let start = 1 + Math.ceil((wantEnd - len - 1) / VOICES_PER_STEP) * VOICES_PER_STEP;
    if (start < 1) start = 1;
    out.push({ start, scoreFrom: covered + 1 });
    covered = Math.min(seqLength - 1, start + len);
  }
  return out;
}

/** Every window of every chorale, as batches of at most `batch` rows. */
export function evalBatches(chorales: readonly Chorale[], len: number, batch: number): TokenBatch[] {
  const rows: Array<{ seq: number[]; w: EvalWindow }> = [];
  for (const ch of chorales) {
    const seq = pieceSequence(ch);
    for (const w of evalWindows(seq.length, len)) rows.push({ seq, w });
  }
  const out: TokenBatch[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const tb = emptyBatch(part.length, len);
    part.forEach((r, b) => fillRow(tb, b, r.seq, r.w.start, len, r.w.scoreFrom));
    out.push(tb);
  }
  return out;
}

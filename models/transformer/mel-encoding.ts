// Chorales → inputs of the melody-encoder model. A window covers `len` decoder steps [s, s+len)
// of one chorale; the encoder reads the soprano over [s-M, s+len+M) with M = its receptive field
// (PAD outside the piece), so its output at every window step equals the one computed over the
// whole melody at generation time. Targets are the alto, tenor and bass tokens of each step; the
// decoder's input at a step carries the previous step's A/T/B (BOS tokens at the piece's start).
import type { Chorale } from '../data/jsb';
import { pitchToToken } from '../data/tokens';
import { transposeChorale } from '../data/windows';
import type { Rng } from '../runtime/rng';
import { BOS_TOKEN, PAD_TOKEN } from './config';
import { randomTransposition } from './encoding';
import { LEVEL_OUTSIDE, OUT_VOICES, receptiveField, type MelodyConfig } from './mel-config';
import { jsbFirstPos, JSB_METRE, metricalLevels, type Metre } from './meter';

/** B windows of L steps (flattened row-major). */
export interface MelodyBatch {
  batch: number;
  len: number;
  /** Encoder steps per row: len + 2·margin. */
  encLen: number;
  margin: number;
  /** Soprano tokens [B·encLen] (PAD outside the piece). */
  melody: Int32Array;
  /** Metrical level of each encoder step [B·encLen]. */
  levels: Int32Array;
  /** Pitch-class profile of the whole melody [B·12] (share of sounding steps per pitch class). */
  profile: Float32Array;
  /** A/T/B tokens of the previous step [B·len·3]. */
  prev: Int32Array;
  /** A/T/B targets [B·len·3]. */
  targets: Int32Array;
  /** 1 = scored, 0 = padding / scored by another window [B·len·3]. */
  weights: Float32Array;
}

/** What the encoder needs about a whole piece: soprano tokens, levels, pitch-class profile. */
export interface MelodyPiece {
  melody: Int32Array;
  levels: Int32Array;
  profile: Float32Array;
}

export function pitchClassProfile(sopranoTokens: ArrayLike<number>): Float32Array {
  const out = new Float32Array(12);
  let n = 0;
  for (let i = 0; i < sopranoTokens.length; i++) {
    const t = sopranoTokens[i]!;
    if (t <= 0 || t === BOS_TOKEN || t === PAD_TOKEN) continue;
    out[(t - 1 + 36) % 12]! += 1; // token 1 = MIDI 36 (a C)
    n++;
  }
  if (n > 0) for (let i = 0; i < 12; i++) out[i]! /= n;
  return out;
}

export function melodyPiece(sopranoTokens: ArrayLike<number>, firstPos: number, metre: Metre): MelodyPiece {
  const melody = Int32Array.from(sopranoTokens);
  return { melody, levels: metricalLevels(melody.length, firstPos, metre), profile: pitchClassProfile(melody) };
}

export function choralePiece(ch: Chorale): MelodyPiece {
  return melodyPiece(
    ch.map((s) => pitchToToken(s[0]!)),
    jsbFirstPos(ch.length),
    JSB_METRE,
  );
}

function emptyBatch(cfg: MelodyConfig, batch: number): MelodyBatch {
  const len = cfg.maxLen;
  const margin = receptiveField(cfg);
  const encLen = len + 2 * margin;
  return {
    batch,
    len,
    encLen,
    margin,
    melody: new Int32Array(batch * encLen).fill(PAD_TOKEN),
    levels: new Int32Array(batch * encLen).fill(LEVEL_OUTSIDE),
    profile: new Float32Array(batch * 12),
    prev: new Int32Array(batch * len * OUT_VOICES).fill(PAD_TOKEN),
    targets: new Int32Array(batch * len * OUT_VOICES).fill(PAD_TOKEN),
    weights: new Float32Array(batch * len * OUT_VOICES),
  };
}

/** Row b ← steps [start, start+len) of a piece; steps before scoreFrom get weight 0. */
function fillRow(out: MelodyBatch, b: number, ch: Chorale, start: number, scoreFrom: number): void {
  const piece = choralePiece(ch);
  const { len, encLen, margin } = out;
  for (let j = 0; j < encLen; j++) {
    const t = start - margin + j;
    if (t < 0 || t >= ch.length) continue;
    out.melody[b * encLen + j] = piece.melody[t]!;
    out.levels[b * encLen + j] = piece.levels[t]!;
  }
  out.profile.set(piece.profile, b * 12);
  for (let j = 0; j < len; j++) {
    const t = start + j;
    if (t >= ch.length) break;
    for (let v = 0; v < OUT_VOICES; v++) {
      const o = (b * len + j) * OUT_VOICES + v;
      out.prev[o] = t === 0 ? BOS_TOKEN : pitchToToken(ch[t - 1]![v + 1]!);
      out.targets[o] = pitchToToken(ch[t]![v + 1]!);
      out.weights[o] = t >= scoreFrom ? 1 : 0;
    }
  }
}

/** Random training windows: chorales drawn in proportion to their length, any start step, ±maxTranspose. */
export function sampleMelodyBatch(chorales: readonly Chorale[], cfg: MelodyConfig, batch: number, rng: Rng, maxTranspose: number): MelodyBatch {
  const cum: number[] = [];
  let total = 0;
  for (const ch of chorales) cum.push((total += ch.length));
  const out = emptyBatch(cfg, batch);
  for (let b = 0; b < batch; b++) {
    const r = rng.next() * total;
    let i = 0;
    while (cum[i]! <= r) i++;
    const ch = chorales[i]!;
    const tr = transposeChorale(ch, randomTransposition(ch, maxTranspose, rng));
    const start = rng.int(Math.max(1, ch.length - cfg.maxLen + 1));
    fillRow(out, b, tr, start, 0);
  }
  return out;
}

/** Windows covering every step of a piece once: hop len/2, each scoring only steps not yet scored. */
export function melodyEvalWindows(steps: number, len: number): Array<{ start: number; scoreFrom: number }> {
  const out = [{ start: 0, scoreFrom: 0 }];
  let covered = Math.min(steps, len);
  const hop = Math.max(1, Math.floor(len / 2));
  while (covered < steps) {
    const start = Math.max(0, Math.min(covered + hop, steps) - len);
    out.push({ start, scoreFrom: covered });
    covered = Math.min(steps, start + len);
  }
  return out;
}

/** Every window of every chorale, as batches of at most `batch` rows. */
export function melodyEvalBatches(chorales: readonly Chorale[], cfg: MelodyConfig, batch: number): MelodyBatch[] {
  const rows: Array<{ ch: Chorale; start: number; scoreFrom: number }> = [];
  for (const ch of chorales) for (const w of melodyEvalWindows(ch.length, cfg.maxLen)) rows.push({ ch, ...w });
  const out: MelodyBatch[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const mb = emptyBatch(cfg, part.length);
    part.forEach((r, b) => fillRow(mb, b, r.ch, r.start, r.scoreFrom));
    out.push(mb);
  }
  return out;
}

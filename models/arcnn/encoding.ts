// Encoding: chorales and sampler states as the network's input planes, and Coconet's training
// examples (Huang et al. 2017, "Counterpoint by Convolution"). A voice roll is a binary
// [time][pitch 48][voice 4] grid (Uint8Array, row-major) holding notes in rows 0–45 only. The net
// sees, per (step, voice), a one-hot over the 46 pitches plus an explicit REST row (46): a voice-step
// that is given and silent has its rest row on; a masked voice-step (one to predict) is all zero
// and its mask plane is on. Plus a pitch-height ramp (convolutions are pitch-shift invariant; the
// ramp tells them the register), the pitch-class profile of the unmasked notes (the key) and the
// metrical level of each step (bar, beat, 8th, 16th; so 3/4 and 6/8 are not read as 4/4).
import type { Rng } from '../runtime/rng';
import type { Chorale } from '../data/jsb';
import { jsbFirstPos, levelAt, JSB_METRE } from '../transformer/meter';
import { IN_CHANNELS, PC_CHANNELS, REST_ROW, inChannels, type PlaneSet, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, VOICES } from './config';

export interface VoiceRoll {
  steps: number;
  /** [t][p][v] → 0/1 at (t * ROLL_PITCHES + p) * VOICES + v; only rows 0..ROLL_HIGH-ROLL_LOW hold notes. */
  data: Uint8Array;
  /** Metrical level of each step (../transformer/meter: 0 bar, 1 beat, 2 8th, 3 16th); default 4/4 from a bar line. */
  levels?: Int32Array;
}

const TOP = ROLL_HIGH - ROLL_LOW;

export const cellIndex = (t: number, p: number, v: number): number => (t * ROLL_PITCHES + p) * VOICES + v;

export function emptyRoll(steps: number): VoiceRoll {
  return { steps, data: new Uint8Array(steps * ROLL_PITCHES * VOICES) };
}

/** 4/4 levels from a step `firstPos` 16ths after a bar line. */
export function levels44(steps: number, firstPos = 0): Int32Array {
  const out = new Int32Array(steps);
  for (let t = 0; t < steps; t++) out[t] = levelAt(firstPos + t, JSB_METRE);
  return out;
}

/** A chorale (optionally transposed) as a voice roll; `steps` ≥ the chorale pads with silence. */
export function choraleToVoiceRoll(ch: Chorale, transpose = 0, steps = ch.length): VoiceRoll {
  const roll = emptyRoll(steps);
  for (let t = 0; t < Math.min(steps, ch.length); t++) {
    for (let v = 0; v < VOICES; v++) {
      const midi = ch[t]![v]!;
      if (midi < 0) continue;
      const p = midi + transpose - ROLL_LOW;
      if (p < 0 || p > TOP) throw new Error(`pitch ${midi + transpose} outside the roll`);
      roll.data[cellIndex(t, p, v)] = 1;
    }
  }
  return roll;
}

/** The class of voice-step (t, v): its pitch row (the highest if several sound), or REST_ROW. */
export function classAt(roll: VoiceRoll, t: number, v: number): number {
  for (let p = TOP; p >= 0; p--) if (roll.data[cellIndex(t, p, v)]) return p;
  return REST_ROW;
}

/** Transpositions (semitones, within ±6) that keep every note of a chorale inside 36–81. */
export function legalTranspositions(ch: Chorale): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const step of ch) for (const m of step) if (m >= 0) ((lo = Math.min(lo, m)), (hi = Math.max(hi, m)));
  const out: number[] = [];
  for (let s = -6; s <= 6; s++) if (lo + s >= ROLL_LOW && hi + s <= ROLL_HIGH) out.push(s);
  return out.length > 0 ? out : [0];
}

/** A random window of `steps` 16ths from a random chorale, randomly transposed, with its 4/4 levels. */
export function randomWindow(chorales: readonly Chorale[], steps: number, rng: Rng): VoiceRoll {
  const ch = chorales[rng.int(chorales.length)]!;
  const start = ch.length > steps ? rng.int(Math.floor((ch.length - steps) / 4) + 1) * 4 : 0;
  const win = ch.slice(start, start + steps);
  const tr = legalTranspositions(win);
  const roll = choraleToVoiceRoll(win, tr[rng.int(tr.length)]!, steps);
  roll.levels = levels44(steps, jsbFirstPos(ch.length) + start);
  return roll;
}

const LEVEL_VALUE = [1, 2 / 3, 1 / 3, 0];

const NO_EXTRA_PLANES: PlaneSet = { pcProfile: false, stepChroma: false };

/**
 * Input planes [t][p][channels] for one roll and a mask `maskVS` [t][v] (1 = to predict):
 * 0–3 the voices (a given voice-step: its pitch row, or its REST row when silent; a masked one:
 * all zero), 4–7 the masks (1 on every row of a masked voice-step), 8 the pitch ramp. With
 * `profile`: 9 the pitch-class profile of the unmasked sounding notes broadcast onto every cell of
 * that class (scaled so the largest class is 1), 10 the step's metrical level. With `stepChroma`:
 * the last plane is 1 on every cell whose pitch class a given voice sounds at that step.
 */
export function inputPlanes(roll: VoiceRoll, maskVS: Uint8Array, out?: Float32Array, planes: PlaneSet = NO_EXTRA_PLANES): Float32Array {
  const { steps, data } = roll;
  const profile = planes.pcProfile;
  const ch = inChannels(planes);
  const chromaPlane = planes.stepChroma ? ch - 1 : -1;
  const stepPcs = new Uint8Array(12);
  const x = out ?? new Float32Array(steps * ROLL_PITCHES * ch);
  if (out) x.fill(0);
  const pcs = new Float64Array(12);
  const levels = roll.levels ?? levels44(steps);
  for (let t = 0; t < steps; t++) {
    stepPcs.fill(0);
    for (let v = 0; v < VOICES; v++) {
      const masked = maskVS[t * VOICES + v]!;
      let sounding = false;
      for (let p = 0; p <= TOP; p++) {
        const o = (t * ROLL_PITCHES + p) * ch;
        if (masked) x[o + VOICES + v] = 1;
        else if (data[cellIndex(t, p, v)]) {
          x[o + v] = 1;
          sounding = true;
          if (profile) pcs[(p + ROLL_LOW) % 12]!++;
          stepPcs[(p + ROLL_LOW) % 12] = 1;
        }
      }
      for (const p of [REST_ROW, REST_ROW + 1]) if (masked) x[(t * ROLL_PITCHES + p) * ch + VOICES + v] = 1;
      if (!masked && !sounding) x[(t * ROLL_PITCHES + REST_ROW) * ch + v] = 1;
    }
    if (chromaPlane >= 0) for (let p = 0; p <= TOP; p++) x[(t * ROLL_PITCHES + p) * ch + chromaPlane] = stepPcs[(p + ROLL_LOW) % 12]!;
  }
  const m = Math.max(...pcs);
  if (m > 0) for (let i = 0; i < 12; i++) pcs[i] = pcs[i]! / m;
  for (let t = 0; t < steps; t++) {
    const lv = LEVEL_VALUE[levels[t]!] ?? 0;
    for (let p = 0; p < ROLL_PITCHES; p++) {
      const o = (t * ROLL_PITCHES + p) * ch;
      x[o + 2 * VOICES] = p / (ROLL_PITCHES - 1);
      if (profile) {
        if (p <= TOP) x[o + IN_CHANNELS] = pcs[(p + ROLL_LOW) % 12]!;
        x[o + IN_CHANNELS + 1] = lv;
      }
    }
  }
  return x;
}

export type MaskKind = 'harmonise' | 'random' | 'infill';

/**
 * Which voice-steps a training example hides (Coconet's orderless masks, mixed with the product's
 * uses): 40 % harmonise (soprano given, all A/T/B hidden; in 15 % of these one of A/T/B is given as
 * silent, so requests writing fewer than three parts are in-distribution), 40 % Coconet's random
 * mask (each voice-step hidden with probability u ~ U(0,1); the soprano kept given half the time),
 * 20 % infill (a random non-empty voice subset over a random span of whole beats).
 */
export function sampleMask(steps: number, rng: Rng): { maskVS: Uint8Array; silenced: number; kind: MaskKind } {
  const m = new Uint8Array(steps * VOICES);
  const r = rng.next();
  let silenced = -1;
  let kind: MaskKind;
  if (r < 0.4) {
    kind = 'harmonise';
    for (let t = 0; t < steps; t++) for (let v = 1; v < VOICES; v++) m[t * VOICES + v] = 1;
    if (rng.next() < 0.15) {
      silenced = 1 + rng.int(3);
      for (let t = 0; t < steps; t++) m[t * VOICES + silenced] = 0;
    }
  } else if (r < 0.8) {
    kind = 'random';
    const u = rng.next();
    const keepS = rng.next() < 0.5;
    for (let i = 0; i < m.length; i++) if (!(keepS && i % VOICES === 0) && rng.next() < u) m[i] = 1;
    if (!m.some(Boolean)) m[rng.int(steps) * VOICES + 1 + rng.int(3)] = 1;
  } else {
    kind = 'infill';
    const voices = [0, 1, 2, 3].map(() => rng.next() < 0.5);
    if (!voices.some(Boolean)) voices[1 + rng.int(3)] = true;
    const beats = steps / 4;
    const a = rng.int(beats);
    const b = a + 1 + rng.int(beats - a);
    for (let t = a * 4; t < b * 4; t++) for (let v = 0; v < VOICES; v++) if (voices[v]) m[t * VOICES + v] = 1;
  }
  return { maskVS: m, silenced, kind };
}

export interface TrainingExample {
  /** Input planes. */
  x: Float32Array;
  /** One-hot [t][p][v] of the true class (pitch row or REST_ROW) at each masked voice-step; 0 elsewhere. */
  target: Float32Array;
}

/** A Coconet training example from a window: hide voice-steps (sampleMask), target their true classes. */
export function makeTrainingExample(orig: VoiceRoll, rng: Rng, planes: PlaneSet = { pcProfile: true, stepChroma: true }, mask?: Uint8Array): TrainingExample {
  const { steps } = orig;
  let roll = orig;
  let maskVS = mask;
  if (!maskVS) {
    const s = sampleMask(steps, rng);
    maskVS = s.maskVS;
    if (s.silenced >= 0) {
      roll = { ...orig, data: new Uint8Array(orig.data) };
      for (let t = 0; t < steps; t++) for (let p = 0; p < ROLL_PITCHES; p++) roll.data[cellIndex(t, p, s.silenced)] = 0;
    }
  }
  const target = new Float32Array(steps * ROLL_PITCHES * VOICES);
  for (let t = 0; t < steps; t++)
    for (let v = 0; v < VOICES; v++) if (maskVS[t * VOICES + v]) target[cellIndex(t, classAt(roll, t, v), v)] = 1;
  return { x: inputPlanes(roll, maskVS, undefined, planes), target };
}

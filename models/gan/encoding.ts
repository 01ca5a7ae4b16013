// Chorale windows ⇄ tensors. JSB voices are monophonic, so each voice is a categorical variable
// per 16th step (46 pitches + rest) rather than a multi-hot roll: the generator emits one softmax
// per voice per step, the critic sees those probabilities (relaxed one-hots, as in WGAN-GP's
// character model) against the real one-hots, and inference takes the argmax, which can never
// produce two notes at once in a voice or a pitch that flickers on and off below a threshold.
import { PITCH_HIGH, PITCH_LOW, REST, type Chorale } from '../data/jsb';
import type { Rng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, REST_CLASS, STEPS_PER_BEAT } from './config';

/** MIDI pitch (or REST) → class index; pitches outside the window are an error. */
export function pitchToClass(midi: number): number {
  if (midi === REST) return REST_CLASS;
  if (!(midi >= PITCH_LOW && midi <= PITCH_HIGH)) throw new Error(`pitch ${midi} outside ${PITCH_LOW}..${PITCH_HIGH}`);
  return midi - PITCH_LOW;
}

export function classToPitch(c: number): number {
  return c === REST_CLASS ? REST : c + PITCH_LOW;
}

/** A melody line (MIDI or REST per step) as one-hots, [steps, NUM_CLASSES]. */
export function encodeLine(line: readonly number[]): Float32Array {
  const out = new Float32Array(line.length * NUM_CLASSES);
  line.forEach((m, t) => {
    out[t * NUM_CLASSES + pitchToClass(m)] = 1;
  });
  return out;
}

/** Alto, tenor, bass of a chorale as one-hots, [steps, NUM_ACCOMP * NUM_CLASSES] (voice-major per step). */
export function encodeAccompaniment(ch: Chorale): Float32Array {
  const out = new Float32Array(ch.length * NUM_ACCOMP * NUM_CLASSES);
  ch.forEach((step, t) => {
    for (let v = 0; v < NUM_ACCOMP; v++) out[(t * NUM_ACCOMP + v) * NUM_CLASSES + pitchToClass(step[v + 1]!)] = 1;
  });
  return out;
}

/** Position of each step inside its beat as a one-hot [steps, STEPS_PER_BEAT]; steps start on a beat. */
export function encodeBeatPosition(steps: number): Float32Array {
  const out = new Float32Array(steps * STEPS_PER_BEAT);
  for (let t = 0; t < steps; t++) out[t * STEPS_PER_BEAT + (t % STEPS_PER_BEAT)] = 1;
  return out;
}

/** Class indices [steps * NUM_ACCOMP] (step-major) → one MIDI line per accompaniment voice. */
export function decodeClasses(classes: ArrayLike<number>, steps: number): number[][] {
  const lines: number[][] = Array.from({ length: NUM_ACCOMP }, () => new Array<number>(steps).fill(REST));
  for (let t = 0; t < steps; t++) for (let v = 0; v < NUM_ACCOMP; v++) lines[v]![t] = classToPitch(classes[t * NUM_ACCOMP + v]!);
  return lines;
}

/** Transpositions (semitones) that keep every sounding pitch of the window inside the pitch window. */
export function transpositionRange(ch: Chorale, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = from; t < to; t++) for (const m of ch[t]!) if (m !== REST) ((lo = Math.min(lo, m)), (hi = Math.max(hi, m)));
  if (lo === Infinity) return [0, 0];
  return [PITCH_LOW - lo, PITCH_HIGH - hi];
}

export interface Batch {
  /** [batch, steps, NUM_CLASSES] soprano one-hots. */
  melody: Float32Array;
  /** [batch, steps, NUM_ACCOMP * NUM_CLASSES] alto/tenor/bass one-hots. */
  accomp: Float32Array;
  /** The windows as chorales (for metrics on the training data). */
  windows: Chorale[];
  batch: number;
  steps: number;
}

/**
 * Random beat-aligned windows of `steps` steps from chorales long enough to hold one, each
 * transposed by a random interval within ±`maxShift` that keeps all four voices inside the window
 * (key-invariance: Bach's harmony rules do not depend on the key).
 */
export function sampleBatch(chorales: readonly Chorale[], batch: number, steps: number, rng: Rng, maxShift = 6): Batch {
  const pool = chorales.filter((c) => c.length >= steps);
  if (pool.length === 0) throw new Error(`no chorale has ${steps} steps`);
  const windows: Chorale[] = [];
  for (let b = 0; b < batch; b++) {
    const ch = pool[rng.int(pool.length)]!;
    const beats = Math.floor((ch.length - steps) / STEPS_PER_BEAT) + 1;
    const from = rng.int(beats) * STEPS_PER_BEAT;
    const [lo, hi] = transpositionRange(ch, from, from + steps);
    const a = Math.max(lo, -maxShift);
    const z = Math.min(hi, maxShift);
    const shift = z >= a ? a + rng.int(z - a + 1) : 0;
    windows.push(ch.slice(from, from + steps).map((s) => s.map((m) => (m === REST ? REST : m + shift))));
  }
  return stackWindows(windows, steps);
}

/** Encodes equal-length windows into one batch. */
export function stackWindows(windows: readonly Chorale[], steps: number): Batch {
  const melody = new Float32Array(windows.length * steps * NUM_CLASSES);
  const accomp = new Float32Array(windows.length * steps * NUM_ACCOMP * NUM_CLASSES);
  windows.forEach((w, b) => {
    melody.set(encodeLine(w.map((s) => s[0]!)), b * steps * NUM_CLASSES);
    accomp.set(encodeAccompaniment(w), b * steps * NUM_ACCOMP * NUM_CLASSES);
  });
  return { melody, accomp, windows: [...windows], batch: windows.length, steps };
}

/** Per-bar noise, one row per bar, from the seeded stream (so a seed fixes the accompaniment). */
export function barNoise(rng: Rng, bars: number, dim: number): Float32Array {
  const out = new Float32Array(bars * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

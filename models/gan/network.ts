// The two networks, written as plain functions over named variables so the same weights serve
// training (tf.variableGrads, nested gradients for the penalty) and inference (no layers API).
//
// Generator G(melody, z): a fully convolutional encoder/decoder over time. The melody is encoded at
// 16th-step level, pooled to beats by a stride-4 conv, joined with per-bar noise, mixed by a
// dilated residual trunk (receptive field ±(1+Σdilations) beats) and decoded back to steps next to
// the step-level melody features. Voice heads then write the voices one after another (bass, alto,
// tenor): each emits a softmax over 46 pitches + rest per step from the trunk's features, the
// melody, the voices already written and the pitch classes they sound, so the alto knows which
// chord tone the bass took (with independent per-voice softmaxes two voices often doubled one
// note and the chord stayed incomplete). Being fully convolutional it runs on any number of beats, so a whole melody is accompanied
// in one pass (see sampler.ts for why that is how chunks are "stitched").
//
// Critic D(melody, accompaniment): step → beat → bar strided convs, flattened to a score. Its
// nonlinearity is leaky ReLU written as 0.6x + 0.4|x|: tfjs's LeakyRelu/Maximum gradients go
// through Greater/GreaterEqual, which have no gradient, so the gradient penalty's
// gradient-of-a-gradient fails on them; Abs's gradient goes through Step, which has one.
import { tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, PITCH_CLASSES, REST_CLASS, STEPS_PER_BEAT, VOICE_ORDER, type GanConfig } from './config';
import { PITCH_LOW, STEPS_PER_BAR } from '../data/jsb';

export type Params = Record<string, tf.Variable>;
type T3 = tf.Tensor3D;

const BEATS_PER_BAR = STEPS_PER_BAR / STEPS_PER_BEAT;

/** Leaky ReLU (slope 0.2) from ops whose gradients are themselves differentiable. */
export function lrelu<T extends tf.Tensor>(x: T): T {
  return tf.add(tf.mul(x, 0.6), tf.mul(tf.abs(x), 0.4));
}

interface ParamSpec {
  name: string;
  shape: number[];
  fanIn: number;
  gain?: number;
}

function convSpec(name: string, k: number, cin: number, cout: number, gain?: number): ParamSpec[] {
  return [
    { name: `${name}/w`, shape: [k, cin, cout], fanIn: k * cin, gain },
    { name: `${name}/b`, shape: [cout], fanIn: 0 },
  ];
}

export function generatorSpec(c: GanConfig): ParamSpec[] {
  const s: ParamSpec[] = [
    ...convSpec('g/enc', 3, NUM_CLASSES + STEPS_PER_BEAT, c.genStep),
    ...convSpec('g/pool', STEPS_PER_BEAT, c.genStep, c.genBeat),
    ...convSpec('g/join', 1, c.genBeat + c.noiseDim, c.genBeat),
  ];
  c.genDilations.forEach((_, i) => s.push(...convSpec(`g/res${i}`, 3, c.genBeat, c.genBeat)));
  s.push(
    ...convSpec('g/dec0', 3, c.genBeat + c.genStep + STEPS_PER_BEAT, c.genDecode),
    ...convSpec('g/dec1', 3, c.genDecode, c.genDecode),
  );
  if (c.voiceHeads)
    VOICE_ORDER.forEach((v, i) => s.push(...convSpec(`g/v${v}/hid`, 3, headInputs(c, i), c.headWidth), ...convSpec(`g/v${v}/out`, 1, c.headWidth, NUM_CLASSES, 0.5)));
  else s.push(...convSpec('g/head', 1, c.genDecode, NUM_ACCOMP * NUM_CLASSES, 0.5));
  return s;
}

/** Input channels of the i-th voice head: trunk features, melody, the i voices before it, pitch classes. */
function headInputs(c: GanConfig, i: number): number {
  return c.genDecode + NUM_CLASSES * (1 + i) + PITCH_CLASSES;
}

export function criticSpec(c: GanConfig): ParamSpec[] {
  const bars = c.chunkSteps / STEPS_PER_BAR;
  return [
    ...convSpec('d/step', 3, NUM_CLASSES * (1 + NUM_ACCOMP) + STEPS_PER_BEAT + (c.criticPitchClasses ? PITCH_CLASSES : 0), c.criticStep),
    ...convSpec('d/beat', STEPS_PER_BEAT, c.criticStep, c.criticBeat),
    ...convSpec('d/mix', 3, c.criticBeat, c.criticBeat),
    ...convSpec('d/bar', BEATS_PER_BAR, c.criticBeat, c.criticBar),
    { name: 'd/out/w', shape: [bars * c.criticBar, 1], fanIn: bars * c.criticBar, gain: 1 },
    { name: 'd/out/b', shape: [1], fanIn: 0 },
  ];
}

let variableCounter = 0;
/** tfjs variable names are global; several parameter sets (train + tests + server) may coexist. */
export function uniqueVariableName(name: string): string {
  return `${name}#${variableCounter++}`;
}

/** A variable holding `data`, without leaving the initial tensor behind. */
export function toVariable(data: Float32Array, shape: number[], trainable: boolean, name: string): tf.Variable {
  const t = tf.tensor(data, shape);
  const v = tf.variable(t, trainable, uniqueVariableName(name));
  t.dispose();
  return v;
}

/** He-normal weights and zero biases from a seeded stream (tfjs initialisers would use Math.random). */
export function initParams(specs: ParamSpec[], seed: number): Params {
  const rng = createRng(seed);
  const out: Params = {};
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.fanIn > 0) {
      const std = (s.gain ?? Math.SQRT2) / Math.sqrt(s.fanIn);
      for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    }
    out[s.name] = toVariable(data, s.shape, true, s.name);
  }
  return out;
}

function conv(p: Params, name: string, x: T3, stride = 1, pad: 'same' | 'valid' = 'same'): T3 {
  const y = tf.conv1d(x, p[`${name}/w`] as unknown as T3, stride, pad);
  return tf.add(y, p[`${name}/b`]!);
}

/**
 * 'same' conv with dilation d, computed as an ordinary conv over the d interleaved phases of the
 * sequence (space-to-batch): tfjs has no gradient for dilated conv2d. Needs length % d == 0.
 */
function dilatedConv(p: Params, name: string, x: T3, d: number): T3 {
  if (d === 1) return conv(p, name, x);
  const [b, n, ch] = x.shape;
  if (n % d !== 0) throw new Error(`dilated conv needs a length divisible by ${d} (got ${n})`);
  const phases = x.reshape([b, n / d, d, ch]).transpose([0, 2, 1, 3]).reshape([b * d, n / d, ch]) as T3;
  const y = conv(p, name, phases);
  const co = y.shape[2];
  return y.reshape([b, d, n / d, co]).transpose([0, 2, 1, 3]).reshape([b, n, co]);
}

/** [batch, steps, 4] beat-position one-hots (steps start on a beat). */
function beatPosition(batch: number, steps: number): T3 {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: steps }, (_, t) => t % STEPS_PER_BEAT), 'int32'), STEPS_PER_BEAT).expandDims(0).tile([batch, 1, 1]).toFloat() as T3);
}

/** Repeats each row `times` times along the time axis: [B, N, C] → [B, N*times, C]. */
function repeatTime(x: T3, times: number): T3 {
  const [b, n, ch] = x.shape;
  return x.expandDims(2).tile([1, 1, times, 1]).reshape([b, n * times, ch]);
}

/** [47, 12] constant: class k (a MIDI pitch) → its pitch class; the rest class → nothing. */
function pitchClassFold(): tf.Tensor2D {
  const m = new Float32Array(NUM_CLASSES * PITCH_CLASSES);
  for (let k = 0; k < NUM_CLASSES; k++) if (k !== REST_CLASS) m[k * PITCH_CLASSES + ((k + PITCH_LOW) % 12)] = 1;
  return tf.tensor2d(m, [NUM_CLASSES, PITCH_CLASSES]);
}

/** Sum of one-hot (or relaxed) lines [B, T, 47] each → how much of each pitch class sounds, [B, T, 12]. */
export function pitchClassProfile(lines: T3[]): T3 {
  const [b, t] = lines[0]!.shape;
  const sum = lines.length === 1 ? lines[0]! : tf.addN(lines);
  return tf.matMul(sum.reshape([b * t, NUM_CLASSES]) as tf.Tensor2D, pitchClassFold()).reshape([b, t, PITCH_CLASSES]);
}

/**
 * The shared trunk: melody one-hots [B, T, 47] and bar noise [B, ceil(T/16), noiseDim] → step
 * features [B, T, genDecode]. T must be a multiple of 4 (whole beats).
 */
export function trunk(p: Params, c: GanConfig, melody: T3, noise: T3): T3 {
  const [b, steps] = melody.shape;
  if (steps % STEPS_PER_BEAT !== 0) throw new Error(`generator needs whole beats (got ${steps} steps)`);
  const beats = steps / STEPS_PER_BEAT;
  const pos = beatPosition(b, steps);
  const s1 = lrelu(conv(p, 'g/enc', tf.concat([melody, pos], 2)));
  const pooled = lrelu(conv(p, 'g/pool', s1, STEPS_PER_BEAT, 'valid'));
  const z = repeatTime(noise, BEATS_PER_BAR).slice([0, 0, 0], [b, beats, c.noiseDim]);
  let h = lrelu(conv(p, 'g/join', tf.concat([pooled, z], 2)));
  c.genDilations.forEach((d, i) => {
    h = tf.add(h, lrelu(dilatedConv(p, `g/res${i}`, h, d)));
  });
  const up = repeatTime(h, STEPS_PER_BEAT);
  const d0 = lrelu(conv(p, 'g/dec0', tf.concat([up, s1, pos], 2)));
  return lrelu(conv(p, 'g/dec1', d0));
}

/**
 * Logits [B, T, 47] of the voice at position `i` of VOICE_ORDER, given the trunk features, the
 * melody and the `i` voices before it (one-hots or relaxed one-hots [B, T, 47], in VOICE_ORDER).
 */
export function voiceHead(p: Params, c: GanConfig, i: number, features: T3, melody: T3, before: readonly T3[]): T3 {
  if (before.length !== i) throw new Error(`voice head ${i} needs the ${i} voices before it (got ${before.length})`);
  const v = VOICE_ORDER[i]!;
  const x = tf.concat([features, melody, ...before, pitchClassProfile([melody, ...before])], 2);
  return conv(p, `g/v${v}/out`, lrelu(conv(p, `g/v${v}/hid`, x)));
}

/** [B, T, 47] per voice (alto, tenor, bass order) → [B, T, 3, 47]. */
function stackVoices(byVoice: T3[]): tf.Tensor4D {
  const [b, t] = byVoice[0]!.shape;
  return tf.stack(byVoice, 2).reshape([b, t, NUM_ACCOMP, NUM_CLASSES]) as tf.Tensor4D;
}

/**
 * Runs the voice heads in VOICE_ORDER, feeding each the draws `draw(logits)` of the voices
 * before it → logits [B, T, 3, 47] and the draws [B, T, 3*47] (voice-major per step, as the
 * data's accompaniment). With independent voices (voiceHeads off) the draws do not feed back.
 */
export function generateWith(p: Params, c: GanConfig, melody: T3, noise: T3, draw: (logits: T3) => T3): { logits: tf.Tensor4D; draws: T3 } {
  const f = trunk(p, c, melody, noise);
  const [b, t] = melody.shape;
  if (!c.voiceHeads) {
    const logits = conv(p, 'g/head', f).reshape([b, t, NUM_ACCOMP, NUM_CLASSES]) as tf.Tensor4D;
    const draws = tf.concat(tf.unstack(logits, 2).map((l) => draw(l as T3)), 2) as T3;
    return { logits, draws };
  }
  const logits: T3[] = new Array(NUM_ACCOMP);
  const draws: T3[] = new Array(NUM_ACCOMP);
  const before: T3[] = [];
  VOICE_ORDER.forEach((v, i) => {
    logits[v] = voiceHead(p, c, i, f, melody, before);
    draws[v] = draw(logits[v]!);
    before.push(draws[v]!);
  });
  return { logits: stackVoices(logits), draws: tf.concat(draws, 2) as T3 };
}

/** The one-hot of each step's most likely class, [B, T, 47]. */
export function argmaxOneHot(logits: T3): T3 {
  return tf.oneHot(tf.argMax(logits, 2), NUM_CLASSES).toFloat() as T3;
}

/**
 * G: melody one-hots [B, T, 47] and bar noise [B, ceil(T/16), noiseDim] → logits [B, T, 3, 47].
 * T must be a multiple of 4 (whole beats). With voice heads, each voice's logits are conditioned
 * on `given` ([B, T, 3*47], the real voices: teacher forcing for the likelihood) when passed,
 * else on the step-wise argmax of the voices before it.
 */
export function generate(p: Params, c: GanConfig, melody: T3, noise: T3, given?: T3): tf.Tensor4D {
  if (!given || !c.voiceHeads) return generateWith(p, c, melody, noise, argmaxOneHot).logits;
  const f = trunk(p, c, melody, noise);
  const real = tf.unstack(given.reshape([given.shape[0], given.shape[1], NUM_ACCOMP, NUM_CLASSES]), 2) as T3[];
  const logits: T3[] = new Array(NUM_ACCOMP);
  VOICE_ORDER.forEach((v, i) => {
    logits[v] = voiceHead(p, c, i, f, melody, VOICE_ORDER.slice(0, i).map((u) => real[u]!));
  });
  return stackVoices(logits);
}

/** D: melody one-hots [B, T, 47] and accompaniment (probabilities) [B, T, 3*47] → scores [B]. */
export function critic(p: Params, c: GanConfig, melody: T3, accomp: T3): tf.Tensor1D {
  const [b, steps] = melody.shape;
  const parts = [melody, accomp, beatPosition(b, steps)];
  if (c.criticPitchClasses) {
    const voices = tf.split(accomp, NUM_ACCOMP, 2) as T3[];
    parts.push(pitchClassProfile([melody, ...voices]));
  }
  const x = tf.concat(parts, 2);
  const h1 = lrelu(conv(p, 'd/step', x));
  const h2 = lrelu(conv(p, 'd/beat', h1, STEPS_PER_BEAT, 'valid'));
  const h3 = tf.add(h2, lrelu(conv(p, 'd/mix', h2))) as T3;
  const h4 = lrelu(conv(p, 'd/bar', h3, BEATS_PER_BAR, 'valid'));
  const flat = h4.reshape([b, -1]) as tf.Tensor2D;
  return tf.add(tf.matMul(flat, p['d/out/w'] as unknown as tf.Tensor2D), p['d/out/b']!).reshape([b]);
}

export function countParams(p: Params): number {
  return Object.values(p).reduce((a, v) => a + v.size, 0);
}

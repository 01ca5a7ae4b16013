// The two networks, written as plain functions over named variables so the same weights serve
// training (tf.variableGrads, nested gradients for the penalty) and inference (no layers API).
//
// Generator G(melody, z): a fully convolutional encoder/decoder over time. The melody is encoded at
// 16th-step level, pooled to beats by a stride-4 conv, joined with per-bar noise, mixed by a
// dilated residual trunk (receptive field ±(1+Σdilations) beats) and decoded back to steps next to
// the step-level melody features; the head emits one softmax over 46 pitches + rest per voice per
// step. Being fully convolutional it runs on any number of beats, so a whole melody is accompanied
// in one pass (see sampler.ts for why that is how chunks are "stitched").
//
// Critic D(melody, accompaniment): step → beat → bar strided convs, flattened to a score. Its
// nonlinearity is leaky ReLU written as 0.6x + 0.4|x|: tfjs's LeakyRelu/Maximum gradients go
// through Greater/GreaterEqual, which have no gradient, so the gradient penalty's
// gradient-of-a-gradient fails on them; Abs's gradient goes through Step, which has one.
import { tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, STEPS_PER_BEAT, type GanConfig } from './config';
import { STEPS_PER_BAR } from '../data/jsb';

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
    ...convSpec('g/head', 1, c.genDecode, NUM_ACCOMP * NUM_CLASSES, 0.5),
  );
  return s;
}

export function criticSpec(c: GanConfig): ParamSpec[] {
  const bars = c.chunkSteps / STEPS_PER_BAR;
  return [
    ...convSpec('d/step', 3, NUM_CLASSES * (1 + NUM_ACCOMP) + STEPS_PER_BEAT, c.criticStep),
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

/**
 * G: melody one-hots [B, T, 47] and bar noise [B, ceil(T/16), noiseDim] → logits [B, T, 3, 47].
 * T must be a multiple of 4 (whole beats).
 */
export function generate(p: Params, c: GanConfig, melody: T3, noise: T3): tf.Tensor4D {
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
  const d1 = lrelu(conv(p, 'g/dec1', d0));
  return conv(p, 'g/head', d1).reshape([b, steps, NUM_ACCOMP, NUM_CLASSES]);
}

/** D: melody one-hots [B, T, 47] and accompaniment (probabilities) [B, T, 3*47] → scores [B]. */
export function critic(p: Params, c: GanConfig, melody: T3, accomp: T3): tf.Tensor1D {
  const [b, steps] = melody.shape;
  const x = tf.concat([melody, accomp, beatPosition(b, steps)], 2);
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

// Inference: a melody line of any length → alto, tenor and bass lines.
//
// Chunking. Training sees 4-bar chunks, but the generator is fully convolutional in time, so a
// melody of any length is accompanied in ONE pass over the whole line (padded to whole bars).
// That is the limit of overlapping chunks with a hop of one step: every output step is computed
// from the same local receptive field (±7 beats around its beat plus a few steps) it was trained
// on, so there are no chunk boundaries at which the voice leading could break, and no seam to
// cross-fade. Context is taken from the real melody on both sides. The noise is one vector per bar,
// drawn from the request's seed in bar order.
import { REST, STEPS_PER_BAR } from '../data/jsb';
import { tf } from '../runtime/index';
import { createRng, type Rng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, REST_CLASS, STEPS_PER_BEAT, VOICE_ORDER, type GanConfig } from './config';
import { soundingSpan } from './convert';
import { barNoise, classToPitch, encodeLine } from './encoding';
import { forbiddenMoves } from '../decoding/voice-leading';
import { samplePath, viterbiPath, type Forbidden, type Penalty } from './decode';
import { generate, trunk, voiceHead, type Params } from './network';

export interface SampleOptions {
  seed: number;
  /** Default: the config's calibrated decodeTemperature. 0 = the most likely path per voice; > 0 samples paths with the distribution sharpened/flattened by 1/temperature. */
  temperature?: number;
  /** Scale of the decoder's note-change penalty (default: the config's calibrated decodePenalty). */
  penalty?: number;
  /**
   * Strict voice leading (default true): as the voices are decoded one after another (bass, alto,
   * tenor), forbid each voice the moves that would form parallel fifths/octaves with the melody or a
   * voice already decoded; the chain decoder then finds the best (or samples a) path among the
   * rest of the network's own distribution. See ../decoding/voice-leading.
   */
  strictVoiceLeading?: boolean;
}

/** Order in which the voices are decoded (the voice heads' order; strict voice leading checks each against those before it). */
export const STRICT_ORDER = VOICE_ORDER;

/** Whole bars covering `steps`. */
export function paddedSteps(steps: number): number {
  return Math.max(STEPS_PER_BAR, Math.ceil(steps / STEPS_PER_BAR) * STEPS_PER_BAR);
}

/**
 * The generator's per-voice logits for a batch of equal-length melody lines, plus the seeded
 * stream after the noise draws. With voice heads a voice's logits depend on the voices decoded
 * before it, so they are computed voice by voice (`voice`); the trunk runs once.
 */
export interface MelodyLogits {
  lines: number;
  steps: number;
  padded: number;
  rng: Rng;
  /** The melody lines the logits were computed for (strict voice leading decodes against them). */
  melodies?: readonly (readonly number[])[];
  /**
   * Logits of voice v, [lines · padded · NUM_CLASSES], given the classes ([lines · padded] each)
   * of the voices before it in VOICE_ORDER, as decoded.
   */
  voice(v: number, before: readonly Int32Array[]): Float32Array;
  /** Frees the tensors kept between voices. */
  dispose(): void;
}

/** Fixed logits [lines, padded, 3, 47] that do not depend on the other voices (independent heads; tests). */
export function fixedLogits(
  flat: Float32Array,
  lines: number,
  steps: number,
  padded: number,
  rng: Rng,
  melodies?: readonly (readonly number[])[],
): MelodyLogits {
  return {
    lines,
    steps,
    padded,
    rng,
    melodies,
    voice(v) {
      const out = new Float32Array(lines * padded * NUM_CLASSES);
      for (let r = 0; r < lines * padded; r++)
        out.set(flat.subarray((r * NUM_ACCOMP + v) * NUM_CLASSES, (r * NUM_ACCOMP + v + 1) * NUM_CLASSES), r * NUM_CLASSES);
      return out;
    },
    dispose() {},
  };
}

export function melodyLogits(params: Params, config: GanConfig, melodies: readonly (readonly number[])[], seed: number): MelodyLogits {
  const steps = melodies[0]?.length ?? 0;
  if (melodies.some((m) => m.length !== steps)) throw new Error('accompanyLines needs melodies of equal length');
  const padded = paddedSteps(steps);
  const bars = padded / STEPS_PER_BAR;
  const lines = melodies.length;
  const rng = createRng(seed);
  const mel = new Float32Array(lines * padded * NUM_CLASSES);
  const noise = new Float32Array(lines * bars * config.noiseDim);
  melodies.forEach((m, i) => {
    const line = [...m, ...new Array<number>(padded - steps).fill(REST)];
    mel.set(encodeLine(line), i * padded * NUM_CLASSES);
    noise.set(barNoise(rng, bars, config.noiseDim), i * bars * config.noiseDim);
  });
  const melT = tf.tensor3d(mel, [lines, padded, NUM_CLASSES]);
  const noiseT = tf.tensor3d(noise, [lines, bars, config.noiseDim]);
  if (!config.voiceHeads) {
    const logits = tf.tidy(() => generate(params, config, melT, noiseT));
    const flat = logits.dataSync() as Float32Array;
    tf.dispose([logits, melT, noiseT]);
    return fixedLogits(flat, lines, steps, padded, rng, melodies);
  }
  const features = tf.tidy(() => trunk(params, config, melT, noiseT));
  noiseT.dispose();
  return {
    lines,
    steps,
    padded,
    rng,
    melodies,
    voice(v, before) {
      const i = VOICE_ORDER.indexOf(v as (typeof VOICE_ORDER)[number]);
      const logits = tf.tidy(() => {
        const prev = before.map((cls) => tf.oneHot(tf.tensor2d(cls, [lines, padded], 'int32'), NUM_CLASSES).toFloat() as tf.Tensor3D);
        return voiceHead(params, config, i, features, melT, prev);
      });
      const flat = logits.dataSync() as Float32Array;
      logits.dispose();
      return flat;
    },
    dispose() {
      tf.dispose([features, melT]);
    },
  };
}

/** Decodes logits into [line][voice][step] MIDI pitch or REST (draws from `l.rng` when sampling), voice by voice in VOICE_ORDER. */
export function decodeLogits(l: MelodyLogits, config: GanConfig, opts: Omit<SampleOptions, 'seed'>): number[][][] {
  const temperature = opts.temperature ?? config.decodeTemperature;
  const scale = opts.penalty ?? config.decodePenalty;
  const rhythm = config.decodeRhythm;
  const penalty: Penalty = rhythm.length > 0 ? (t: number) => scale * rhythm[t % rhythm.length]! : scale;
  const strict = opts.strictVoiceLeading ?? true;
  const out: number[][][] = Array.from({ length: l.lines }, () => new Array<number[]>(NUM_ACCOMP));
  const classes: Int32Array[] = [];
  for (const v of VOICE_ORDER) {
    const logits = l.voice(v, classes);
    const cls = new Int32Array(l.lines * l.padded).fill(REST_CLASS);
    for (let i = 0; i < l.lines; i++) {
      const offset = i * l.padded * NUM_CLASSES;
      const lines = [...(l.melodies ? [l.melodies[i]!] : []), ...VOICE_ORDER.slice(0, classes.length).map((u) => out[i]![u]!)];
      const forbidden: Forbidden | undefined = strict
        ? (t) =>
            forbiddenMoves(
              lines.map((x) => ({ prev: x[t - 1]!, cur: x[t]! })),
              classToPitch,
              NUM_CLASSES,
            )
        : undefined;
      const path =
        temperature > 0
          ? samplePath(logits, offset, NUM_CLASSES, l.steps, NUM_CLASSES, penalty, temperature, l.rng.next, forbidden)
          : viterbiPath(logits, offset, NUM_CLASSES, l.steps, NUM_CLASSES, penalty, undefined, forbidden);
      cls.set(path, i * l.padded);
      out[i]![v] = path.map(classToPitch);
    }
    classes.push(cls);
  }
  return out;
}

/**
 * Accompanies a batch of melody lines (MIDI pitch inside the window, or REST, per 16th step; all the
 * same length) → [line][voice][step] MIDI pitch or REST. Pure given (params, lines, options).
 */
export function accompanyLines(params: Params, config: GanConfig, melodies: readonly (readonly number[])[], opts: SampleOptions): number[][][] {
  if (melodies.length === 0) return [];
  if (melodies[0]!.length === 0) return melodies.map(() => Array.from({ length: NUM_ACCOMP }, () => []));
  const l = melodyLogits(params, config, melodies, opts.seed);
  try {
    return decodeLogits(l, config, opts);
  } finally {
    l.dispose();
  }
}

export interface MelodyAccompaniment {
  /** [voice][step] MIDI pitch or REST (alto, tenor, bass), as long as the melody. */
  voices: number[][];
  /** First and last sounding step of the melody. */
  first: number;
  last: number;
  /** The step the model started reading from (the beat of the first note). */
  cut: number;
}

/**
 * The accompaniment of one melody as the generator writes it (./model.ts; the "how it works" view,
 * ./explain.ts, shows the same): the accompaniment starts and stops with the melody, nothing before
 * a pickup or after the end. The model reads the line from the beat of its first note, as the JSB
 * chorales (its training data) start at their pickup; leading silence would be out of distribution
 * and leave the pickup unharmonised. `raw` is the melody on the grid, `line` the same in the
 * soprano register (./convert.ts toSopranoRegister).
 */
export function accompanyMelody(params: Params, config: GanConfig, raw: readonly number[], line: readonly number[], opts: SampleOptions): MelodyAccompaniment {
  const [first, last] = soundingSpan(raw);
  const cut = Math.max(0, Math.floor(first / STEPS_PER_BEAT) * STEPS_PER_BEAT);
  const [tail] = accompanyLines(params, config, [line.slice(cut)], opts);
  const voices = tail!.map((v) => [...new Array<number>(cut).fill(REST), ...v]);
  for (const v of voices) for (let t = 0; t < v.length; t++) if (t < first || t > last) v[t] = REST;
  return { voices, first, last, cut };
}

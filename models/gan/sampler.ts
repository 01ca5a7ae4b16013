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
import { NUM_ACCOMP, NUM_CLASSES, type GanConfig } from './config';
import { barNoise, classToPitch, encodeLine } from './encoding';
import { forbiddenMoves } from '../decoding/voice-leading';
import { samplePath, viterbiPath, type Forbidden, type Penalty } from './decode';
import { generate, type Params } from './network';

export interface SampleOptions {
  seed: number;
  /** Default: the config's calibrated decodeTemperature. 0 = the most likely path per voice; > 0 samples paths with the distribution sharpened/flattened by 1/temperature. */
  temperature?: number;
  /** Scale of the decoder's note-change penalty (default: the config's calibrated decodePenalty). */
  penalty?: number;
  /**
   * Strict voice leading (default true): decode the voices one after another (bass, alto, tenor)
   * and forbid each voice the moves that would form parallel fifths/octaves with the melody or a
   * voice already decoded; the chain decoder then finds the best (or samples a) path among the
   * rest of the network's own distribution. See ../decoding/voice-leading.
   */
  strictVoiceLeading?: boolean;
}

/** Order in which strict voice leading decodes the accompaniment voices (indices into alto, tenor, bass). */
export const STRICT_ORDER = [2, 0, 1] as const;

/** Whole bars covering `steps`. */
export function paddedSteps(steps: number): number {
  return Math.max(STEPS_PER_BAR, Math.ceil(steps / STEPS_PER_BAR) * STEPS_PER_BAR);
}

/** The generator's logits for a batch of equal-length melody lines, plus the seeded stream after the noise draws. */
export interface MelodyLogits {
  flat: Float32Array;
  lines: number;
  steps: number;
  padded: number;
  rng: Rng;
  /** The melody lines the logits were computed for (strict voice leading decodes against them). */
  melodies?: readonly (readonly number[])[];
}

export function melodyLogits(params: Params, config: GanConfig, melodies: readonly (readonly number[])[], seed: number): MelodyLogits {
  const steps = melodies[0]?.length ?? 0;
  if (melodies.some((m) => m.length !== steps)) throw new Error('accompanyLines needs melodies of equal length');
  const padded = paddedSteps(steps);
  const bars = padded / STEPS_PER_BAR;
  const rng = createRng(seed);
  const mel = new Float32Array(melodies.length * padded * NUM_CLASSES);
  const noise = new Float32Array(melodies.length * bars * config.noiseDim);
  melodies.forEach((m, i) => {
    const line = [...m, ...new Array<number>(padded - steps).fill(REST)];
    mel.set(encodeLine(line), i * padded * NUM_CLASSES);
    noise.set(barNoise(rng, bars, config.noiseDim), i * bars * config.noiseDim);
  });
  const logits = tf.tidy(() => generate(params, config, tf.tensor3d(mel, [melodies.length, padded, NUM_CLASSES]), tf.tensor3d(noise, [melodies.length, bars, config.noiseDim])));
  const flat = logits.dataSync() as Float32Array;
  logits.dispose();
  return { flat, lines: melodies.length, steps, padded, rng, melodies };
}

/** Decodes logits into [line][voice][step] MIDI pitch or REST (draws from `l.rng` when sampling). */
export function decodeLogits(l: MelodyLogits, config: GanConfig, opts: Omit<SampleOptions, 'seed'>): number[][][] {
  const temperature = opts.temperature ?? config.decodeTemperature;
  const scale = opts.penalty ?? config.decodePenalty;
  const rhythm = config.decodeRhythm;
  const penalty: Penalty = rhythm.length > 0 ? (t: number) => scale * rhythm[t % rhythm.length]! : scale;
  const row = NUM_ACCOMP * NUM_CLASSES;
  const strict = opts.strictVoiceLeading ?? true;
  return Array.from({ length: l.lines }, (_, i) => {
    const voices: number[][] = new Array(NUM_ACCOMP);
    const decoded: (readonly number[])[] = l.melodies ? [l.melodies[i]!] : [];
    for (const v of strict ? STRICT_ORDER : [0, 1, 2]) {
      const offset = i * l.padded * row + v * NUM_CLASSES;
      const lines = [...decoded];
      const forbidden: Forbidden | undefined = strict
        ? (t) => forbiddenMoves(lines.map((x) => ({ prev: x[t - 1]!, cur: x[t]! })), classToPitch, NUM_CLASSES)
        : undefined;
      const path =
        temperature > 0
          ? samplePath(l.flat, offset, row, l.steps, NUM_CLASSES, penalty, temperature, l.rng.next, forbidden)
          : viterbiPath(l.flat, offset, row, l.steps, NUM_CLASSES, penalty, undefined, forbidden);
      voices[v] = path.map(classToPitch);
      decoded.push(voices[v]!);
    }
    return voices;
  });
}

/**
 * Accompanies a batch of melody lines (MIDI pitch inside the window, or REST, per 16th step; all the
 * same length) → [line][voice][step] MIDI pitch or REST. Pure given (params, lines, options).
 */
export function accompanyLines(params: Params, config: GanConfig, melodies: readonly (readonly number[])[], opts: SampleOptions): number[][][] {
  if (melodies.length === 0) return [];
  if (melodies[0]!.length === 0) return melodies.map(() => Array.from({ length: NUM_ACCOMP }, () => []));
  return decodeLogits(melodyLogits(params, config, melodies, opts.seed), config, opts);
}

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
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, type GanConfig } from './config';
import { barNoise, classToPitch, encodeLine } from './encoding';
import { samplePath, viterbiPath } from './decode';
import { generate, type Params } from './network';

export interface SampleOptions {
  seed: number;
  /** Default: the config's calibrated decodeTemperature. 0 = the most likely path per voice; > 0 samples paths with the distribution sharpened/flattened by 1/temperature. */
  temperature?: number;
  /** Nats per pitch change in the decoder (default: the config's calibrated decodePenalty). */
  penalty?: number;
}

/** Whole bars covering `steps`. */
export function paddedSteps(steps: number): number {
  return Math.max(STEPS_PER_BAR, Math.ceil(steps / STEPS_PER_BAR) * STEPS_PER_BAR);
}

/**
 * Accompanies a batch of melody lines (MIDI pitch inside the window, or REST, per 16th step; all the
 * same length) → [line][voice][step] MIDI pitch or REST. Pure given (params, lines, options).
 */
export function accompanyLines(params: Params, config: GanConfig, melodies: readonly (readonly number[])[], opts: SampleOptions): number[][][] {
  if (melodies.length === 0) return [];
  const steps = melodies[0]!.length;
  if (melodies.some((m) => m.length !== steps)) throw new Error('accompanyLines needs melodies of equal length');
  if (steps === 0) return melodies.map(() => Array.from({ length: NUM_ACCOMP }, () => []));
  const padded = paddedSteps(steps);
  const bars = padded / STEPS_PER_BAR;
  const rng = createRng(opts.seed);
  const mel = new Float32Array(melodies.length * padded * NUM_CLASSES);
  const noise = new Float32Array(melodies.length * bars * config.noiseDim);
  melodies.forEach((m, i) => {
    const line = [...m, ...new Array<number>(padded - steps).fill(REST)];
    mel.set(encodeLine(line), i * padded * NUM_CLASSES);
    noise.set(barNoise(rng, bars, config.noiseDim), i * bars * config.noiseDim);
  });
  const temperature = opts.temperature ?? config.decodeTemperature;
  const penalty = opts.penalty ?? config.decodePenalty;
  const logits = tf.tidy(() => generate(params, config, tf.tensor3d(mel, [melodies.length, padded, NUM_CLASSES]), tf.tensor3d(noise, [melodies.length, bars, config.noiseDim])));
  const flat = logits.dataSync();
  logits.dispose();
  const row = NUM_ACCOMP * NUM_CLASSES;
  return melodies.map((_, i) =>
    Array.from({ length: NUM_ACCOMP }, (_, v) => {
      const offset = i * padded * row + v * NUM_CLASSES;
      const path =
        temperature > 0
          ? samplePath(flat, offset, row, steps, NUM_CLASSES, penalty, temperature, rng.next)
          : viterbiPath(flat, offset, row, steps, NUM_CLASSES, penalty);
      return path.map(classToPitch);
    }),
  );
}

// Strict voice leading in the GAN's chain decoder: on random per-step distributions (which move
// every voice almost every step), decoding with the constraint — most likely path or sampled —
// leaves no parallel fifth/octave between any two voices or with the melody; without it there are
// many. The constraint only removes moves: a path it allows scores as before (checked by Viterbi
// giving the same path when nothing is forbidden).
import { describe, expect, it } from 'vitest';
import { countParallels } from '../decoding/voice-leading';
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, TINY_CONFIG } from './config';
import { viterbiPath } from './decode';
import { decodeLogits, fixedLogits, type MelodyLogits } from './sampler';

const STEPS = 48;
const MELODY = Array.from({ length: STEPS }, (_, t) => 67 + [0, 2, 4, 5, 7, 5, 4, 2][Math.floor(t / 2) % 8]!);

function randomFlat(seed: number): Float32Array {
  const rng = createRng(seed);
  const flat = new Float32Array(STEPS * NUM_ACCOMP * NUM_CLASSES);
  for (let i = 0; i < flat.length; i++) flat[i] = 3 * rng.normal();
  return flat;
}
function randomLogits(seed: number): MelodyLogits {
  return fixedLogits(randomFlat(seed), 1, STEPS, STEPS, createRng(seed + 100), [MELODY]);
}

const config = { ...TINY_CONFIG, decodePenalty: 0, decodeRhythm: [] };

describe('GAN strict voice leading', () => {
  for (const temperature of [0, 1])
    it(`leaves no parallels with it and many without (temperature ${temperature})`, () => {
      let off = 0;
      for (const seed of [1, 2, 3]) {
        const on = decodeLogits(randomLogits(seed), config, { temperature, penalty: 0.5, strictVoiceLeading: true })[0]!;
        expect(countParallels([MELODY, ...on])).toBe(0);
        const free = decodeLogits(randomLogits(seed), config, { temperature, penalty: 0.5, strictVoiceLeading: false })[0]!;
        off += countParallels([MELODY, ...free]);
      }
      expect(off).toBeGreaterThan(3);
    });

  it('Viterbi is unchanged when nothing is forbidden', () => {
    const flat = randomFlat(7);
    const row = NUM_ACCOMP * NUM_CLASSES;
    expect(viterbiPath(flat, 0, row, STEPS, NUM_CLASSES, 0.5, undefined, () => null)).toEqual(viterbiPath(flat, 0, row, STEPS, NUM_CLASSES, 0.5));
  });
});

// Strict voice leading in both AR-CNN samplers, on a randomly initialised net at a high
// temperature (it writes parallels freely): with the constraint the harmonisation of a melody has
// no parallel fifth/octave at all; without it, the same net and seeds write some.
import { beforeAll, describe, expect, it } from 'vitest';
import { countParallels } from '../decoding/voice-leading';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, TINY_NET, VOICES } from './config';
import { cellIndex, emptyRoll, type VoiceRoll } from './encoding';
import { sampleGibbs } from './gibbs';
import { createNet, disposeNet, type ArcnnNet } from './network';
import { sampleEdits } from './sampler';

let net: ArcnnNet;
beforeAll(async () => {
  await initRuntime();
  net = createNet(TINY_NET, 5);
  return () => disposeNet(net);
});

const STEPS = 32;
const TOP = ROLL_HIGH - ROLL_LOW;
// A stepwise melody (moving every 2 steps) so there is motion to be parallel with.
const MELODY = Array.from({ length: STEPS }, (_, t) => 67 + [0, 2, 4, 5, 7, 5, 4, 2][Math.floor(t / 2) % 8]!);

function melodyRoll(): VoiceRoll {
  const roll = emptyRoll(STEPS);
  MELODY.forEach((m, t) => (roll.data[cellIndex(t, m - ROLL_LOW, 0)] = 1));
  return roll;
}

function lines(roll: VoiceRoll): number[][] {
  return Array.from({ length: VOICES }, (_, v) =>
    Array.from({ length: STEPS }, (_, t) => {
      for (let p = TOP; p >= 0; p--) if (roll.data[cellIndex(t, p, v)]) return p + ROLL_LOW;
      return -1;
    }),
  );
}

async function toggle(strict: boolean, seed: number): Promise<number> {
  const editable = new Uint8Array(STEPS * ROLL_PITCHES * VOICES);
  for (let t = 0; t < STEPS; t++) for (let v = 1; v < VOICES; v++) for (let p = 0; p <= TOP; p++) editable[cellIndex(t, p, v)] = 1;
  const res = await sampleEdits(net, { roll: melodyRoll(), editable }, { iterations: 60, maxRemoveShare: 1, maxNotesAdded: 1e6, temperature: 3, strictVoiceLeading: strict }, createRng(seed));
  return countParallels(lines(res.roll));
}

async function gibbs(strict: boolean, seed: number): Promise<number> {
  const vs = new Uint8Array(STEPS * VOICES);
  for (let t = 0; t < STEPS; t++) for (let v = 1; v < VOICES; v++) vs[t * VOICES + v] = 1;
  const res = await sampleGibbs(net, melodyRoll(), vs, { iterations: 20, temperature: 3, strictVoiceLeading: strict, markAll: true }, createRng(seed));
  const l = lines(res.roll);
  for (let v = 1; v < VOICES; v++) expect(l[v]!.every((p) => p >= 0), 'Gibbs fills every voice-step').toBe(true);
  return countParallels(l);
}

describe('AR-CNN strict voice leading', () => {
  it('the toggle sampler writes no parallel fifths/octaves with it, some without', async () => {
    let off = 0;
    for (const seed of [1, 2, 3]) {
      expect(await toggle(true, seed)).toBe(0);
      off += await toggle(false, seed);
    }
    expect(off).toBeGreaterThan(0);
  });

  it('annealed blocked Gibbs writes no parallel fifths/octaves with it, some without', async () => {
    let off = 0;
    for (const seed of [1, 2, 3]) {
      expect(await gibbs(true, seed)).toBe(0);
      off += await gibbs(false, seed);
    }
    expect(off).toBeGreaterThan(0);
  });
});

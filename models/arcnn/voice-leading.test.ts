// Strict voice leading in the AR-CNN's annealed blocked Gibbs sampler, on a randomly initialised
// net at a high temperature (it writes parallels freely): with the constraint the harmonisation of
// a melody has no parallel fifth/octave at all; without it, the same net and seeds write some. The
// same holds for a rewrite under DeepComposer's caps.
import { beforeAll, describe, expect, it } from 'vitest';
import { countParallels } from '../decoding/voice-leading';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, TINY_NET, VOICES } from './config';
import { cellIndex, emptyRoll, type VoiceRoll } from './encoding';
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

const editableATB = (): Uint8Array => {
  const editable = new Uint8Array(STEPS * ROLL_PITCHES * VOICES);
  for (let t = 0; t < STEPS; t++) for (let v = 1; v < VOICES; v++) for (let p = 0; p <= TOP; p++) editable[cellIndex(t, p, v)] = 1;
  return editable;
};

async function harmonise(strict: boolean, seed: number): Promise<number> {
  const res = await sampleEdits(net, { roll: melodyRoll(), editable: editableATB() }, { iterations: 12, maxRemoveShare: 1, maxNotesAdded: 1e6, temperature: 3, strictVoiceLeading: strict }, createRng(seed));
  return countParallels(lines(res.roll));
}

async function rewrite(strict: boolean, seed: number): Promise<number> {
  // A parallel-free start (a held chord), rewritten with at most half its cells removed.
  const roll = melodyRoll();
  for (let t = 0; t < STEPS; t++) [[1, 64], [2, 55], [3, 48]].forEach(([v, m]) => (roll.data[cellIndex(t, m! - ROLL_LOW, v!)] = 1));
  const res = await sampleEdits(net, { roll, editable: editableATB() }, { iterations: 12, maxRemoveShare: 0.5, maxNotesAdded: 500, temperature: 3, strictVoiceLeading: strict }, createRng(seed));
  return countParallels(lines(res.roll));
}

describe('AR-CNN strict voice leading', () => {
  it('harmonising from nothing writes no parallel fifths/octaves with it, some without', async () => {
    let off = 0;
    for (const seed of [1, 2, 3]) {
      expect(await harmonise(true, seed)).toBe(0);
      off += await harmonise(false, seed);
    }
    expect(off).toBeGreaterThan(0);
  });

  it('a capped rewrite writes no parallel fifths/octaves with it, some without', async () => {
    let off = 0;
    for (const seed of [1, 2, 3]) {
      expect(await rewrite(true, seed)).toBe(0);
      off += await rewrite(false, seed);
    }
    expect(off).toBeGreaterThan(0);
  });
});

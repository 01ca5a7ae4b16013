// Sampler (annealed blocked Gibbs) properties, checked on a small randomly initialised net (they
// must hold for any distribution the net produces): edits stay inside the editable mask, fixed
// cells survive, DeepComposer's add and remove caps hold, voices stay monophonic, the REST row
// never becomes a note, a seed replays exactly, no tensors leak.
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { REST_ROW, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, TINY_NET, VOICES } from './config';
import { cellIndex, emptyRoll, type VoiceRoll } from './encoding';
import { createNet, disposeNet, type ArcnnNet } from './network';
import { sampleEdits, type SamplerKnobs } from './sampler';
import { GenerationAbortedError } from '../generator';

let net: ArcnnNet;
beforeAll(async () => {
  await initRuntime();
  net = createNet(TINY_NET, 3);
  return () => disposeNet(net);
});

/** A random 4-voice texture (one pitch per voice-step, in SATB-ish ranges) of `steps` steps. */
function randomRoll(steps: number, seed: number, density = 0.9): VoiceRoll {
  const rng = createRng(seed);
  const roll = emptyRoll(steps);
  const base = [33, 27, 21, 12];
  for (let t = 0; t < steps; t++) for (let v = 0; v < VOICES; v++) if (rng.next() < density) roll.data[cellIndex(t, base[v]! + rng.int(10), v)] = 1;
  return roll;
}

/** Editable cells: voices `voices` inside steps [a, b), pitch rows of the window only. */
function mask(steps: number, voices: number[], a: number, b: number): Uint8Array {
  const m = new Uint8Array(steps * ROLL_PITCHES * VOICES);
  for (let t = a; t < b; t++) for (const v of voices) for (let p = 0; p <= ROLL_HIGH - ROLL_LOW; p++) m[cellIndex(t, p, v)] = 1;
  return m;
}

const knobs = (k: Partial<SamplerKnobs> = {}): SamplerKnobs => ({ iterations: 15, maxRemoveShare: 1, maxNotesAdded: 1e6, temperature: 1, ...k });

describe('AR-CNN sampler', () => {
  it('never edits outside the region mask and never touches the fixed melody', async () => {
    for (const seed of [1, 2, 3]) {
      const roll = randomRoll(32, seed);
      const editable = mask(32, [1, 2, 3], 8, 24);
      const res = await sampleEdits(net, { roll, editable }, knobs({ iterations: 15, temperature: 2 }), createRng(seed));
      expect(res.toggles).toBeGreaterThan(0);
      let changedInside = 0;
      for (let c = 0; c < roll.data.length; c++) {
        if (res.roll.data[c] !== roll.data[c]) {
          expect(editable[c], `cell ${c} changed outside the mask`).toBe(1);
          changedInside++;
        }
      }
      expect(changedInside).toBeGreaterThan(0);
      // The soprano (voice 0) was never editable: identical everywhere.
      for (let t = 0; t < 32; t++) for (let p = 0; p < ROLL_PITCHES; p++) expect(res.roll.data[cellIndex(t, p, 0)]).toBe(roll.data[cellIndex(t, p, 0)]);
    }
  });

  it('respects the add cap and the remove share', async () => {
    for (const [maxNotesAdded, maxRemoveShare] of [
      [0, 0.25],
      [5, 0],
      [12, 0.5],
    ] as const) {
      const roll = randomRoll(32, 7);
      const editable = mask(32, [0, 1, 2, 3], 0, 32);
      let inputOn = 0;
      for (let c = 0; c < roll.data.length; c++) if (roll.data[c] && editable[c]) inputOn++;
      const res = await sampleEdits(net, { roll, editable }, knobs({ iterations: 25, maxNotesAdded, maxRemoveShare, temperature: 3 }), createRng(11));
      let added = 0;
      let removed = 0;
      for (let c = 0; c < roll.data.length; c++) {
        if (res.roll.data[c] && !roll.data[c]) added++;
        if (!res.roll.data[c] && roll.data[c]) removed++;
      }
      expect(added).toBe(res.added);
      expect(removed).toBe(res.removed);
      expect(added).toBeLessThanOrEqual(maxNotesAdded);
      expect(removed).toBeLessThanOrEqual(Math.floor(maxRemoveShare * inputOn));
    }
  });

  it('with both caps at zero changes nothing; with a small add cap fills exactly up to it', async () => {
    const roll = randomRoll(32, 8, 0.6);
    const editable = mask(32, [1, 2, 3], 0, 32);
    const frozen = await sampleEdits(net, { roll, editable }, knobs({ iterations: 20, maxNotesAdded: 0, maxRemoveShare: 0, temperature: 3 }), createRng(2));
    expect(Buffer.from(frozen.roll.data).equals(Buffer.from(roll.data))).toBe(true);
    // Silent voice-steps are many and an untrained net rarely draws the rest class: the cap binds.
    const five = await sampleEdits(net, { roll, editable }, knobs({ iterations: 20, maxNotesAdded: 5, maxRemoveShare: 0, temperature: 3 }), createRng(2));
    expect(five.added).toBe(5);
    expect(five.removed).toBe(0);
    // Open caps: far more changes than either capped run.
    const open = await sampleEdits(net, { roll, editable }, knobs({ iterations: 20, temperature: 3 }), createRng(2));
    expect(open.added + open.removed).toBeGreaterThan(40);
  });

  it('fills silent voices from nothing within the iteration budget, one pitch per voice-step', async () => {
    const roll = emptyRoll(64);
    for (let t = 0; t < 64; t++) roll.data[cellIndex(t, 30 + ((t >> 2) % 5), 0)] = 1;
    const editable = mask(64, [1, 2, 3], 0, 64);
    const res = await sampleEdits(net, { roll, editable }, knobs({ iterations: 20 }), createRng(5));
    let sounding = 0;
    for (let t = 0; t < 64; t++) {
      for (let v = 1; v < VOICES; v++) {
        let k = 0;
        for (let p = 0; p < ROLL_PITCHES; p++) k += res.roll.data[cellIndex(t, p, v)]!;
        expect(k).toBeLessThanOrEqual(1);
        expect(res.roll.data[cellIndex(t, REST_ROW, v)]).toBe(0);
        expect(res.roll.data[cellIndex(t, REST_ROW + 1, v)]).toBe(0);
        sounding += k;
      }
    }
    // Blocked updates: the first iteration draws every voice-step, so far more than one cell per
    // iteration is written (an untrained net gives the rest class 1/47 of the mass).
    expect(sounding).toBeGreaterThan(150);
  });

  it('is deterministic for a seed and different across seeds', async () => {
    const roll = randomRoll(32, 9, 0.5);
    const editable = mask(32, [1, 2, 3], 0, 32);
    const a = await sampleEdits(net, { roll, editable }, knobs(), createRng(42));
    const b = await sampleEdits(net, { roll, editable }, knobs(), createRng(42));
    const c = await sampleEdits(net, { roll, editable }, knobs(), createRng(43));
    expect(Buffer.from(a.roll.data).equals(Buffer.from(b.roll.data))).toBe(true);
    expect(Buffer.from(a.roll.data).equals(Buffer.from(c.roll.data))).toBe(false);
  });

  it('leaks no tensors, reports progress and honours an abort signal', async () => {
    const roll = randomRoll(32, 4);
    const editable = mask(32, [1, 2, 3], 0, 32);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    await sampleEdits(net, { roll, editable }, knobs({ iterations: 10 }), createRng(1), { onProgress: (f) => seen.push(f) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    const run = sampleEdits(net, { roll, editable }, knobs({ iterations: 1000 }), createRng(1), {
      signal: ac.signal,
      onProgress: (f) => f > 0.005 && ac.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(GenerationAbortedError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

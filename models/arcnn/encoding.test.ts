// Encoding (Coconet-style): a given silent voice-step shows its REST row, a masked voice-step is all
// zero with its mask plane on, the pitch-class profile counts only unmasked notes, the metre plane
// follows the levels, and training examples target exactly the masked voice-steps' true classes.
import { describe, expect, it } from 'vitest';
import { createRng } from '../runtime/rng';
import { IN_CHANNELS, PC_CHANNELS, REST_ROW, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, VOICES } from './config';
import { cellIndex, classAt, emptyRoll, inputPlanes, levels44, makeTrainingExample, sampleMask } from './encoding';

const CH = IN_CHANNELS + PC_CHANNELS;
const at = (x: Float32Array, ch: number, t: number, p: number, plane: number): number => x[(t * ROLL_PITCHES + p) * ch + plane]!;

// Soprano: C (60) for 3 steps, G (67) for 1; alto: E (64) at steps 0–1, silent at 2–3;
// tenor and bass silent.
function roll4() {
  const roll = emptyRoll(4);
  for (let t = 0; t < 3; t++) roll.data[cellIndex(t, 60 - ROLL_LOW, 0)] = 1;
  roll.data[cellIndex(3, 67 - ROLL_LOW, 0)] = 1;
  roll.data[cellIndex(0, 64 - ROLL_LOW, 1)] = 1;
  roll.data[cellIndex(1, 64 - ROLL_LOW, 1)] = 1;
  return roll;
}

describe('AR-CNN input planes', () => {
  it('one-hot per voice-step with an explicit rest row; masked voice-steps are zero with their mask on', () => {
    const roll = roll4();
    const mask = new Uint8Array(4 * VOICES);
    mask[1 * VOICES + 1] = 1; // alto at step 1 (sounding E) is hidden
    mask[3 * VOICES + 2] = 1; // tenor at step 3 (silent) is hidden
    const x = inputPlanes(roll, mask, undefined, { pcProfile: true });
    expect(x.length).toBe(4 * ROLL_PITCHES * CH);
    const column = (t: number, v: number, plane: number): number[] => Array.from({ length: ROLL_PITCHES }, (_, p) => at(x, CH, t, p, plane));
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Given alto at 0: E only, no rest. Given silent alto at 2: rest row only.
    expect(at(x, CH, 0, 64 - ROLL_LOW, 1)).toBe(1);
    expect(sum(column(0, 1, 1))).toBe(1);
    expect(at(x, CH, 2, REST_ROW, 1)).toBe(1);
    expect(sum(column(2, 1, 1))).toBe(1);
    // Masked voice-steps: nothing in the voice plane (not even rest), mask plane on every row.
    expect(sum(column(1, 1, 1))).toBe(0);
    expect(sum(column(3, 2, 2))).toBe(0);
    expect(column(1, 1, VOICES + 1).every((m) => m === 1)).toBe(true);
    expect(column(3, 2, VOICES + 2).every((m) => m === 1)).toBe(true);
    expect(sum(column(0, 1, VOICES + 1))).toBe(0);
    // The padding row never holds a note or a rest.
    for (let t = 0; t < 4; t++) for (let v = 0; v < VOICES; v++) expect(at(x, CH, t, REST_ROW + 1, v)).toBe(0);
  });

  it('broadcast the unmasked pitch-class profile onto every octave and the metre onto every row', () => {
    const roll = roll4();
    const mask = new Uint8Array(4 * VOICES);
    mask[0 * VOICES + 1] = 1; // hides one of the two alto Es
    roll.levels = levels44(4, 14); // steps fall on 16th 15 (a 16th), bar line (level 0), 16th 2 (8th), 16th 3
    const x = inputPlanes(roll, mask, undefined, { pcProfile: true });
    for (const base of [36, 48, 60, 72]) {
      // unmasked: C 3, E 1, G 1 → scaled by the largest class
      expect(at(x, CH, 0, base - ROLL_LOW, IN_CHANNELS)).toBeCloseTo(1);
      expect(at(x, CH, 2, base + 4 - ROLL_LOW, IN_CHANNELS)).toBeCloseTo(1 / 3);
      expect(at(x, CH, 3, base + 7 - ROLL_LOW, IN_CHANNELS)).toBeCloseTo(1 / 3);
      expect(at(x, CH, 1, base + 1 - ROLL_LOW, IN_CHANNELS)).toBe(0);
    }
    const metre = [0, 1, 2, 3].map((t) => at(x, CH, t, 10, IN_CHANNELS + 1));
    expect(metre[0]).toBeCloseTo(1 / 3); // 16th 14 is an 8th position
    expect(metre[1]).toBe(0); // 16th 15
    expect(metre[2]).toBe(1); // bar line
    expect(metre[3]).toBe(0);
    // Without the profile: 9 planes, no profile or metre.
    expect(inputPlanes(roll, mask).length).toBe(4 * ROLL_PITCHES * IN_CHANNELS);
  });

  it('step chroma: the pitch classes the given voices sound at each step, on every octave, never the masked ones', () => {
    const roll = roll4();
    const mask = new Uint8Array(4 * VOICES);
    mask[0 * VOICES + 1] = 1; // the alto E at step 0 is hidden: only the soprano's C counts there
    const ch = CH + 1;
    const x = inputPlanes(roll, mask, undefined, { pcProfile: true, stepChroma: true });
    expect(x.length).toBe(4 * ROLL_PITCHES * ch);
    const chroma = (t: number, midi: number): number => at(x, ch, t, midi - ROLL_LOW, ch - 1);
    for (const octave of [36, 48, 60, 72]) {
      expect(chroma(0, octave)).toBe(1); // C from the soprano
      expect(chroma(0, octave + 4)).toBe(0); // E hidden at step 0
      expect(chroma(1, octave + 4)).toBe(1); // E given at step 1
      expect(chroma(3, octave + 7)).toBe(1); // G at step 3
      expect(chroma(3, octave)).toBe(0); // the C has ended
    }
    // Rest and padding rows carry no chroma.
    expect(at(x, ch, 0, REST_ROW, ch - 1)).toBe(0);
    expect(at(x, ch, 0, REST_ROW + 1, ch - 1)).toBe(0);
  });
});

describe('AR-CNN training examples', () => {
  it('target the true class (pitch or rest) of exactly the masked voice-steps', () => {
    const roll = roll4();
    const mask = new Uint8Array(4 * VOICES);
    mask[1 * VOICES + 1] = 1;
    mask[3 * VOICES + 1] = 1;
    const ex = makeTrainingExample(roll, createRng(1), { pcProfile: true }, mask);
    const hot: [number, number, number][] = [];
    for (let c = 0; c < ex.target.length; c++) if (ex.target[c]) hot.push([Math.floor(c / (ROLL_PITCHES * VOICES)), Math.floor(c / VOICES) % ROLL_PITCHES, c % VOICES]);
    expect(hot).toEqual([
      [1, 64 - ROLL_LOW, 1],
      [3, REST_ROW, 1],
    ]);
    expect(classAt(roll, 3, 1)).toBe(REST_ROW);
  });

  it('mix harmonise, random and infill masks; never an empty mask; rest row only as a class', () => {
    const rng = createRng(7);
    const kinds = { harmonise: 0, random: 0, infill: 0 };
    let empty = 0;
    let badHarmonise = 0;
    for (let i = 0; i < 300; i++) {
      const { maskVS, kind, silenced } = sampleMask(64, rng);
      kinds[kind]++;
      if (!maskVS.some(Boolean)) empty++;
      if (kind === 'harmonise')
        for (let i = 0; i < maskVS.length; i++) if (maskVS[i] !== (i % VOICES === 0 || i % VOICES === silenced ? 0 : 1)) badHarmonise++;
    }
    expect(empty).toBe(0);
    expect(badHarmonise).toBe(0);
    expect(kinds.harmonise).toBeGreaterThan(90);
    expect(kinds.random).toBeGreaterThan(90);
    expect(kinds.infill).toBeGreaterThan(30);
    expect(ROLL_HIGH - ROLL_LOW).toBeLessThan(REST_ROW);
  });
});

// Encoding: the pitch-class profile planes carry the key of the given notes to every cell — fixed
// notes only in plane 9, every sounding note in plane 10 — and nets without them keep 9 planes.
import { describe, expect, it } from 'vitest';
import { IN_CHANNELS, PC_CHANNELS, ROLL_LOW, ROLL_PITCHES, VOICES } from './config';
import { cellIndex, emptyRoll, inputPlanes } from './encoding';

const at = (x: Float32Array, ch: number, t: number, p: number, plane: number): number => x[(t * ROLL_PITCHES + p) * ch + plane]!;

describe('AR-CNN input planes', () => {
  // Soprano: C (60) for 3 steps, G (67) for 1; alto (editable): E (64) for 2 steps.
  const roll = emptyRoll(4);
  for (let t = 0; t < 3; t++) roll.data[cellIndex(t, 60 - ROLL_LOW, 0)] = 1;
  roll.data[cellIndex(3, 67 - ROLL_LOW, 0)] = 1;
  roll.data[cellIndex(0, 64 - ROLL_LOW, 1)] = 1;
  roll.data[cellIndex(1, 64 - ROLL_LOW, 1)] = 1;
  const editable = new Uint8Array(4 * VOICES);
  for (let t = 0; t < 4; t++) for (let v = 1; v < VOICES; v++) editable[t * VOICES + v] = 1;

  it('broadcast the fixed and the full pitch-class profile onto every octave of each class', () => {
    const ch = IN_CHANNELS + PC_CHANNELS;
    const x = inputPlanes(roll, editable, undefined, true);
    expect(x.length).toBe(4 * ROLL_PITCHES * ch);
    for (const t of [0, 3]) {
      for (const base of [36, 48, 60, 72]) {
        // fixed: C 3 cells (max → 1), G 1 cell, E is editable so absent
        expect(at(x, ch, t, base - ROLL_LOW, IN_CHANNELS)).toBeCloseTo(1);
        expect(at(x, ch, t, base + 7 - ROLL_LOW, IN_CHANNELS)).toBeCloseTo(1 / 3);
        expect(at(x, ch, t, base + 4 - ROLL_LOW, IN_CHANNELS)).toBe(0);
        expect(at(x, ch, t, base + 1 - ROLL_LOW, IN_CHANNELS)).toBe(0);
        // all sounding: C 3, E 2, G 1
        expect(at(x, ch, t, base - ROLL_LOW, IN_CHANNELS + 1)).toBeCloseTo(1);
        expect(at(x, ch, t, base + 4 - ROLL_LOW, IN_CHANNELS + 1)).toBeCloseTo(2 / 3);
        expect(at(x, ch, t, base + 7 - ROLL_LOW, IN_CHANNELS + 1)).toBeCloseTo(1 / 3);
      }
    }
  });

  it('are all zero for an empty roll and absent without the profile', () => {
    const ch = IN_CHANNELS + PC_CHANNELS;
    const x = inputPlanes(emptyRoll(4), editable, undefined, true);
    for (let c = 0; c < 4 * ROLL_PITCHES; c++) expect([x[c * ch + IN_CHANNELS], x[c * ch + IN_CHANNELS + 1]]).toEqual([0, 0]);
    const plain = inputPlanes(roll, editable);
    expect(plain.length).toBe(4 * ROLL_PITCHES * IN_CHANNELS);
    expect(at(plain, IN_CHANNELS, 0, 60 - ROLL_LOW, 0)).toBe(1);
  });
});

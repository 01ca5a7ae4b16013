// Distinct note lengths of a line (issue 12's "flicker" measure): runs of one pitch are notes,
// a repeated pitch reads as held, rests are not notes.
import { describe, expect, it } from 'vitest';
import { REST } from '../data/jsb';
import { distinctDurations } from './quality';

describe('distinct note lengths', () => {
  it('counts the different run lengths of sounding pitches', () => {
    // Notes of 4, 1, 2, 4 steps and a rest of 3: lengths {4, 1, 2}.
    expect(distinctDurations([60, 60, 60, 60, 62, 64, 64, REST, REST, REST, 65, 65, 65, 65])).toBe(3);
    expect(distinctDurations([REST, REST])).toBe(0);
    expect(distinctDurations([])).toBe(0);
  });
});

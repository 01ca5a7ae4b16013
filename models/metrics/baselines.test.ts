// The NLL baselines on hand-built chorales whose answers can be worked out by hand.
import { describe, expect, it } from 'vitest';
import { NUM_PITCHES, REST } from '../data/jsb';
import { choose, fitSopranoLookup, hideVoiceSteps, lookupNll, lookupProb, nearestCopyNll } from './baselines';

const R = REST;
// 4 steps of S, A, T, B; the tenor rests at step 3.
const CH = [
  [72, 64, 55, 48],
  [72, 64, 55, 48],
  [74, 65, 57, 50],
  [74, 64, R, 43],
];

describe('hideVoiceSteps', () => {
  it('hides every sounding A/T/B voice-step at share 1, none at share 0, never the soprano', () => {
    const all = hideVoiceSteps([CH], 1, 1)[0]!;
    expect(all).toHaveLength(11);
    expect(all.every((c) => c.v >= 1 && c.v <= 3 && c.pitch === CH[c.t]![c.v])).toBe(true);
    expect(hideVoiceSteps([CH], 0, 1)[0]).toEqual([]);
  });
});

describe('nearestCopyNll', () => {
  it('copies the nearest visible step of the same voice, weighting the nearer side more', () => {
    // Alto hidden at step 1: step 0 (distance 1) has 64, step 2 (distance 1) has 65 → half each.
    const hidden = [[{ piece: 0, t: 1, v: 1, pitch: 64 }]];
    const eps = 0.2;
    expect(nearestCopyNll([CH], hidden, eps)).toBeCloseTo(-Math.log(0.8 * 0.5 + 0.2 / NUM_PITCHES));
    // Alto hidden at steps 1 and 2: for step 1, 64 at distance 1 and 64 at distance 2 → a sure copy.
    const two = [[{ piece: 0, t: 1, v: 1, pitch: 64 }, { piece: 0, t: 2, v: 1, pitch: 65 }]];
    const p1 = 0.8 + 0.2 / NUM_PITCHES;
    const p2 = 0.2 / NUM_PITCHES; // step 2: 64 on both sides (distances 2 and 1), Bach has 65
    expect(nearestCopyNll([CH], two, eps)).toBeCloseTo(-(Math.log(p1) + Math.log(p2)) / 2);
  });
});

describe('soprano lookup table', () => {
  it('counts voice pitches per soprano pitch and backs off to the voice frequencies by α', () => {
    const t = fitSopranoLookup([CH]);
    // Soprano 74: alto 65 once, 64 once.
    expect(lookupProb(t, 1, 74, 65, 0)).toBeCloseTo(0.5);
    expect(lookupProb(t, 1, 72, 64, 0)).toBeCloseTo(1);
    // α mixes in the alto's add-one frequencies (64 ×3, 65 ×1, plus 1 per pitch).
    const marg64 = 4 / (4 + NUM_PITCHES);
    expect(lookupProb(t, 1, 72, 64, 2)).toBeCloseTo((2 + 2 * marg64) / 4);
    const hidden = hideVoiceSteps([CH], 1, 1);
    expect(lookupNll(t, [CH], hidden, 1e-9)).toBeCloseTo(-(Math.log(0.5) * 4) / 11, 5);
  });

  it('chooses the grid value with the lowest score', () => {
    expect(choose([1, 2, 3], (x) => (x - 2) ** 2)).toEqual({ value: 2, score: 0 });
  });
});

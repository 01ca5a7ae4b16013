import { describe, expect, it } from 'vitest';
import { REST } from '../data/jsb';
import { allowedAtStep, countParallels, formsParallel, maskParallels } from './voice-leading';

describe('strict voice leading', () => {
  it('flags a move that makes parallel fifths or octaves with a decided voice', () => {
    const melody = { prev: 72, cur: 74 };
    expect(formsParallel(60, 62, [melody])).toBe(true); // octaves up with the melody
    expect(formsParallel(65, 67, [melody])).toBe(true); // fifths up
    expect(formsParallel(60, 59, [melody])).toBe(false); // contrary
    expect(formsParallel(60, 60, [melody])).toBe(false); // held
    expect(formsParallel(REST, 62, [melody])).toBe(false);
  });

  it('checks both neighbouring steps in a Gibbs update', () => {
    // Bass at t: t−1 → t with the tenor (55 → 57), and t → t+1 with the melody (72 → 74).
    expect(allowedAtStep(50, 48, [{ prev: 55, cur: 57 }], 50, [])).toBe(false); // fifths from t−1
    expect(allowedAtStep(62, REST, [], 64, [{ prev: 74, cur: 76 }])).toBe(false); // octaves into t+1
    expect(allowedAtStep(53, 48, [{ prev: 55, cur: 57 }], 52, [{ prev: 74, cur: 76 }])).toBe(true);
  });

  it('masks and renormalises the model distribution, keeping its relative weights', () => {
    const pitches = [60, 62, 64, 65];
    const w = [0.1, 0.6, 0.2, 0.1];
    // Voice was at 60, melody 72 → 74: moving to 62 makes octaves.
    const masked = maskParallels(w, (k) => pitches[k]!, 60, [{ prev: 72, cur: 74 }]);
    expect(masked).toBe(1);
    expect(w[1]).toBe(0);
    expect(w[0]! + w[2]! + w[3]!).toBeCloseTo(1);
    expect(w[2]! / w[0]!).toBeCloseTo(2);
  });

  it('leaves the distribution alone when every candidate with weight would be masked', () => {
    const w = [0, 1];
    expect(maskParallels(w, (k) => [60, 62][k]!, 60, [{ prev: 72, cur: 74 }])).toBe(0);
    expect(w).toEqual([0, 1]);
  });

  it('counts the parallels of finished lines like the metric', () => {
    // t1: S–A octaves, S–T and A–T fifths; t2: S–T fifths again.
    expect(countParallels([[72, 74, 76], [60, 62, 60], [53, 55, 57]])).toBe(4);
  });
});

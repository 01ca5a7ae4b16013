// Metrics on hand-built rolls whose answers are worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { loadJsb, PITCH_LOW, REST } from '../data/jsb';
import { requireJsbForTests } from '../data/require-jsb';
import {
  averageSummaries, bernoulliNll, emptyBarRate, estimateKey, extractNotes, inKeyRatio, natsToBits, nllFromLogits, nllFromProbs,
  noteDensity, perplexity, polyphonicRate, polyphony, qualifiedNoteRate, summarize, voiceTracks, tonalCentroid, tonalDistance,
  usedPitchClasses, type TrackRoll,
} from './index';

/** A [steps][46] roll with notes given as [midiPitch, startStep, lengthSteps]. */
function track(steps: number, notes: Array<[number, number, number]>): TrackRoll {
  const m = Array.from({ length: steps }, () => new Array<number>(46).fill(0));
  for (const [p, s, l] of notes) for (let t = s; t < s + l; t++) m[t]![p - PITCH_LOW] = 1;
  return m;
}

describe('MuseGAN metrics', () => {
  // 4 bars: bar 0 has C4 (4 steps) + E4 (2) + C5 (3); bar 2 has G4 (1); bars 1 and 3 are empty.
  const t = track(64, [[60, 0, 4], [64, 4, 2], [72, 8, 3], [67, 32, 1]]);

  it('EB: 2 of 4 bars empty → 0.5; a trailing partial bar is ignored', () => {
    expect(emptyBarRate(t)).toBe(0.5);
    expect(emptyBarRate(track(70, [[60, 64, 6]]))).toBe(1);
    expect(emptyBarRate(track(10, []))).toBeNaN();
  });

  it('UPC: bar 0 uses {C, E} = 2, bar 2 uses {G} = 1 → mean over non-empty bars 1.5', () => {
    expect(usedPitchClasses(t)).toBe(1.5);
    expect(usedPitchClasses(track(16, []))).toBeNaN();
  });

  it('QN: lengths 4, 2, 3, 1 → two notes ≥ 3 steps → 0.5', () => {
    expect(extractNotes(t).map((n) => n[2])).toEqual([4, 2, 3, 1]);
    expect(qualifiedNoteRate(t)).toBe(0.5);
  });

  it('note density: 4 notes in 4 bars → 1 per bar; a held note is one note', () => {
    expect(noteDensity(t)).toBe(1);
    expect(noteDensity(track(32, [[60, 0, 32]]))).toBe(0.5);
  });

  it("TD: Harte's centroid of C vs G is 1.7372 apart; identical tracks are 0 apart", () => {
    const c = track(16, [[60, 0, 16]]);
    const g = track(16, [[67, 0, 16]]);
    // C: (0, 1, 0, 1, 0, .5); G: (.5, √3/2, 1, 0, √3/4, −.25) → √3.0179 = 1.73723
    expect(tonalCentroid([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual([0, 1, 0, 1, 0, 0.5]);
    expect(tonalDistance(c, g)).toBeCloseTo(1.737225, 5);
    expect(tonalDistance(c, c)).toBe(0);
    // Octaves do not matter; a bar where one track is silent is skipped.
    expect(tonalDistance(track(32, [[48, 0, 16], [48, 16, 16]]), track(32, [[72, 0, 16]]))).toBe(0);
    expect(tonalDistance(c, track(16, []))).toBeNaN();
  });

  it('polyphony: steps with 3, 1 and 0 pitches → mean 2 over sounding steps; polyphonic rate 1/2', () => {
    const a = track(3, [[60, 0, 1], [64, 0, 1]]);
    const b = track(3, [[67, 0, 2]]);
    expect(polyphony([a, b])).toBe(2);
    expect(polyphonicRate([a, b])).toBe(0.5);
  });

  it('in-key ratio and key estimate', () => {
    const scale = track(8, [60, 62, 64, 65, 67, 69, 71, 72].map((p, i) => [p, i, 1] as [number, number, number]));
    expect(inKeyRatio([scale], { tonic: 0, mode: 'major' })).toBe(1);
    const withFsharp = track(8, [60, 62, 64, 66, 67, 69, 71, 72].map((p, i) => [p, i, 1] as [number, number, number]));
    expect(inKeyRatio([withFsharp], { tonic: 0, mode: 'major' })).toBe(7 / 8);
    const cMajorCadence = track(32, [[48, 0, 8], [60, 0, 8], [64, 0, 8], [67, 0, 8], [43, 8, 8], [62, 8, 8], [67, 8, 8], [71, 8, 8], [48, 16, 16], [60, 16, 16], [64, 16, 16]]);
    expect(estimateKey([cMajorCadence])).toEqual({ tonic: 0, mode: 'major' });
    const aMinor = track(32, [[45, 0, 16], [57, 0, 16], [60, 0, 16], [64, 0, 16], [52, 16, 8], [56, 16, 8], [59, 16, 8], [45, 24, 8], [57, 24, 8], [60, 24, 8]]);
    expect(estimateKey([aMinor])).toEqual({ tonic: 9, mode: 'minor' });
  });
});

describe('voiceTracks (the one chorale → metrics input of all three models)', () => {
  it('one binary [step][pitch] roll per voice from PITCH_LOW; a rest is an empty row; outside the window throws', () => {
    const [s, a, t, b] = voiceTracks([
      [72, 67, 60, 48],
      [72, REST, 60, 36],
    ]);
    expect(s![0]![72 - PITCH_LOW]).toBe(1);
    expect(s![0]!.reduce((x, y) => x + y, 0)).toBe(1);
    expect(a![1]!.every((c) => c === 0)).toBe(true);
    expect(t!.map((row) => row.indexOf(1))).toEqual([60 - PITCH_LOW, 60 - PITCH_LOW]);
    expect(b![1]![0]).toBe(1);
    expect(() => voiceTracks([[90, 60, 50, 40]])).toThrow(/outside 36\.\.81/);
  });
});

describe('NLL helpers', () => {
  it('uniform logits over 4 classes: ln 4 nats = 2 bits, perplexity 4; padding ignored', () => {
    const nll = nllFromLogits([0, 0, 0, 0, 5, 1, 2, 3], 4, [2, -1]);
    expect(nll).toBeCloseTo(Math.log(4), 10);
    expect(natsToBits(nll)).toBeCloseTo(2, 10);
    expect(perplexity(nll)).toBeCloseTo(4, 10);
    expect(nllFromLogits([1000, 0], 2, [0])).toBeCloseTo(0, 10); // stable for large logits
  });
  it('probabilities and Bernoulli cells', () => {
    expect(nllFromProbs([0.5, 0.5, 0.25, 0.75], 2, [0, 1])).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 10);
    expect(bernoulliNll([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 10);
    expect(bernoulliNll([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 10);
    expect(() => nllFromLogits([0, 0], 2, [0, 1])).toThrow(/length/);
  });
});

const hasJsb = requireJsbForTests('metrics on Bach');
describe.skipIf(!hasJsb)('metrics on real chorales (validation split)', () => {
  it('Bach is tonal, mostly long notes, four-voice polyphony, soprano rarely silent', () => {
    const s = averageSummaries(loadJsb().valid.map((ch) => summarize(voiceTracks(ch))));
    expect(s.inKey).toBeGreaterThan(0.9);
    expect(s.QN[0]).toBeGreaterThan(0.6);
    expect(s.polyphony).toBeGreaterThan(3.5);
    expect(s.EB[0]).toBeLessThan(0.05);
    expect(s.UPC[0]).toBeGreaterThan(1.5);
    expect(s.TD).toBeGreaterThan(0);
  });
});

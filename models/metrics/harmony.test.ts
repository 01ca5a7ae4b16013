// Hand-built cases for the harmony metrics: each figure is checked on a few steps whose right
// answer can be counted by eye.
import { describe, expect, it } from 'vitest';
import { REST } from '../data/jsb';
import { addHarmonyCounts, harmonyCounts, harmonyFigures, harmonyMetrics, isOnset, isParallel, isTriadOrSeventh } from './harmony';

const R = REST;

describe('isParallel', () => {
  it('finds parallel fifths and octaves moving the same way', () => {
    expect(isParallel(67, 69, 60, 62)).toBe(true); // G/C → A/D: fifths up
    expect(isParallel(72, 74, 60, 62)).toBe(true); // octaves up
    expect(isParallel(60, 62, 60, 62)).toBe(true); // unisons up
    expect(isParallel(79, 69, 60, 50)).toBe(true); // 12th → 12th down (compound fifths)
  });
  it('does not count contrary/oblique motion, changes of interval, rests or a held voice', () => {
    expect(isParallel(67, 69, 60, 55)).toBe(false); // contrary
    expect(isParallel(67, 67, 60, 60)).toBe(false); // both held
    expect(isParallel(67, 69, 60, 60)).toBe(false); // oblique
    expect(isParallel(67, 69, 60, 64)).toBe(false); // fifth → major third
    expect(isParallel(64, 65, 60, 61)).toBe(false); // parallel thirds are fine
    expect(isParallel(67, 69, R, 62)).toBe(false);
    expect(isParallel(72, 74, 67, 69)).toBe(false); // parallel fourths are not counted
  });
});

describe('isTriadOrSeventh', () => {
  it('accepts the four triads and seventh chords (with or without their fifth)', () => {
    expect(isTriadOrSeventh([72, 64, 55, 48])).toBe(true); // C major
    expect(isTriadOrSeventh([69, 64, 60, 57])).toBe(true); // A minor
    expect(isTriadOrSeventh([71, 65, 62, 59])).toBe(true); // B diminished
    expect(isTriadOrSeventh([72, 68, 64, 60])).toBe(true); // C augmented
    expect(isTriadOrSeventh([65, 62, 59, 55])).toBe(true); // G7
    expect(isTriadOrSeventh([65, 59, 55, 43])).toBe(true); // G7 without its fifth (G B F)
    expect(isTriadOrSeventh([71, 64, 60, 48])).toBe(true); // Cmaj7 without the fifth
  });
  it('rejects bare intervals, clusters and sus chords', () => {
    expect(isTriadOrSeventh([72, 64, 60, 48])).toBe(false); // C + E only
    expect(isTriadOrSeventh([72, 72, 60, 48])).toBe(false); // all C
    expect(isTriadOrSeventh([67, 65, 60, 48])).toBe(false); // Csus4
    expect(isTriadOrSeventh([62, 61, 60, 48])).toBe(false); // cluster
  });
});

describe('isOnset', () => {
  it('reads a repeated pitch as held, a change or a rest before as a new note', () => {
    const line = [60, 60, 62, R, 62, 62];
    expect([0, 1, 2, 3, 4, 5].map((t) => isOnset(line, t))).toEqual([true, false, true, false, true, false]);
  });
});

describe('harmonyCounts', () => {
  it('counts parallels per bar over every pair of voices, the melody included', () => {
    // 2 bars of 4 steps; melody and alto rise in octaves once, tenor and bass in fifths once.
    const melody = [72, 72, 74, 74, 74, 74, 74, 74];
    const alto = [60, 60, 62, 62, 62, 62, 62, 62];
    const tenor = [55, 55, 55, 55, 55, 57, 57, 57];
    const bass = [48, 48, 48, 48, 48, 50, 50, 50];
    const f = harmonyMetrics({ melody, voices: [alto, tenor, bass], stepsPerBar: 4 });
    expect(f.parallels_per_bar).toBe(1); // 2 parallels / 2 bars
  });

  it('measures onset and bass consonance at melody onsets only, a fourth allowed above the bass', () => {
    // Melody onsets at 0 and 2 (step 1 is held). At 0: alto a 4th below (ok for an upper voice),
    // bass a 4th below (dissonant for the bass). At 2: alto a 2nd below (dissonant), bass an octave.
    const melody = [72, 72, 74, 74];
    const alto = [67, 64, 72, 72];
    const bass = [67, 48, 62, 62];
    const c = harmonyCounts({ melody, voices: [alto, bass], stepsPerBar: 4 });
    expect([c.onsetPairs, c.onsetConsonant]).toEqual([4, 2]);
    expect([c.bassPairs, c.bassConsonant]).toEqual([2, 1]);
    const f = harmonyFigures(c);
    expect(f.onset_consonance).toBe(0.5);
    expect(f.bass_consonance).toBe(0.5);
  });

  it('checks chords only at melody onsets where every voice sounds', () => {
    const melody = [72, 72, 74, 76, 77];
    const alto = [64, 64, 65, R, 76];
    const tenor = [55, 55, 59, 60, 60];
    const bass = [48, 48, 43, 48, 50];
    // t0: C E G C → triad; t2: D F B G → G7; t3: alto rests (skipped); t4: F E C D → not a chord.
    const c = harmonyCounts({ melody, voices: [alto, tenor, bass], stepsPerBar: 4 });
    expect([c.chordSteps, c.chordOk]).toEqual([3, 2]);
  });

  it('counts single-16th accompaniment notes (the melody is not counted)', () => {
    const melody = [72, 74, 72, 74, 72, 74, 72, 74];
    const alto = [64, 64, 65, 64, 64, 64, 64, R];
    // alto notes: 64×2, 65×1, 64×4 → 1 of 3 is a single 16th (the rest is not a note)
    expect(harmonyMetrics({ melody, voices: [alto], stepsPerBar: 4 }).share_16th).toBeCloseTo(1 / 3);
  });

  it('counts crossings and accompaniment above the melody', () => {
    const melody = [72, 72, 65, R];
    const alto = [67, 67, 67, 67];
    const tenor = [60, 69, 60, 60];
    // t0 fine; t1 tenor above alto (crossed); t2 alto above the melody (crossed, above); t3 no melody.
    const c = harmonyCounts({ melody, voices: [alto, tenor], stepsPerBar: 4 });
    expect([c.crossingSteps, c.crossed]).toEqual([4, 2]);
    expect([c.belowSteps, c.above]).toEqual([6, 1]);
  });

  it('estimates the key from the melody and scores every voice against it', () => {
    // A C-major scale melody; the alto sings C, C, F#, C: 1 of 8 voice-steps is out of key.
    const melody = [60, 62, 64, 65, 67, 69, 71, 72].flatMap((p) => [p, p]).slice(0, 4).concat([67, 67, 60, 60]);
    const alto = [55, 55, 54, 55, 55, 55, 55, 55].slice(0, 8);
    const f = harmonyMetrics({ melody, voices: [alto], stepsPerBar: 4 });
    expect(f.in_key).toBeCloseTo(15 / 16);
  });

  it('pools pieces by their tallies, so a longer piece weighs more', () => {
    const a = harmonyCounts({ melody: [72, 74], voices: [[60, 62]], stepsPerBar: 2 }); // 1 parallel, 1 bar
    const b = harmonyCounts({ melody: [72, 74, 76, 77], voices: [[60, 59, 57, 55]], stepsPerBar: 2 }); // 0 in 2 bars
    expect(harmonyFigures(addHarmonyCounts(a, b)).parallels_per_bar).toBeCloseTo(1 / 3);
  });

  it('rejects voices of the wrong length', () => {
    expect(() => harmonyCounts({ melody: [60, 62], voices: [[60]] })).toThrow(/steps/);
  });
});

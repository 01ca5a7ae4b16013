// The chord-miss breakdown on hand-built onsets: a C major triad is complete, a doubled bare fifth
// counts as two pitch classes, a cluster as a four-class clash, and steps that are not melody
// onsets or where a voice rests are not counted.
import { describe, expect, it } from 'vitest';
import { REST } from '../data/jsb';
import { addChordMisses, chordMissShares, emptyChordMisses } from './chord-misses';

describe('chord misses', () => {
  it('sorts melody onsets into complete chords and misses by pitch classes', () => {
    // Steps: 0 C major (E5 over C4 G4 C3), 1 held melody (not an onset), 2 bare fifth C/G,
    // 3 cluster C D E F, 4 a resting voice (not counted).
    const melody = [76, 76, 79, 77, 72];
    const alto = [67, 67, 67, 74, 67];
    const tenor = [60, 62, 60, 72, REST];
    const bass = [48, 48, 48, 64, 48];
    const m = addChordMisses(emptyChordMisses(), melody, [alto, tenor, bass]);
    expect(m).toEqual({ onsets: 3, complete: 1, byClasses: [0, 1, 0, 1] });
    expect(chordMissShares(m)).toEqual({ complete: 0.3333, classes_1: 0, classes_2: 0.3333, classes_3: 0, classes_4: 0.3333 });
  });
});

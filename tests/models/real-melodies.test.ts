// The GAN and the AR-CNN harmonise melodies written for this repo (tests/fixtures/melodies), as a
// musician would try them: the accompaniment starts with the melody (nothing before a pickup) and
// ends with it, falls on the metre's grid (3/4, 6/8 as well as 4/4), stays in the melody's key
// (major or minor), and sits under the melody in its own register even when the melody lies far
// outside the chorale range (transposed in for the model and back out).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PPQ, type NoteData } from '../../lib/score';
import type { Generator } from '../../models/generator';
import { createGenerator } from '../../models/registry';
import { MELODIES, fixtureScore, type MelodyFixture } from '../fixtures/melodies/melodies';

const STEP = PPQ / 4;
const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 9, 10, 11]; // natural minor with the raised 6th and 7th

export interface RealMelodyFigures {
  firstMelody: number;
  melodyEnd: number;
  firstAccomp: number;
  lastAccompStart: number;
  /** Share of accompaniment onsets on the metre's 8th-note grid. */
  onGrid: number;
  /** Share of bar lines inside the melody where every accompaniment voice sounds. */
  downbeatsCovered: number;
  /** Duration-weighted share of accompaniment pitches in the melody's key. */
  inKey: number;
  /** Share of accompaniment note-steps above the melody note sounding at that step. */
  aboveMelody: number;
  /** Melody median minus the median of the top accompaniment voice (semitones). */
  gapToTopVoice: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function figures(m: MelodyFixture, add: NoteData[], trackRefs: string[]): RealMelodyFigures {
  const stepsPerBar = (16 * m.timeSignature[0]) / m.timeSignature[1];
  const firstMelody = Math.min(...m.notes.map(([, s]) => s));
  const melodyEnd = Math.max(...m.notes.map(([, s, d]) => s + d));
  const melodyAt = (t: number): number => m.notes.find(([, s, d]) => t >= s && t < s + d)?.[0] ?? -1;
  const notes = add.map((n) => ({ track: n.trackId as string, pitch: n.pitch, s: n.start / STEP, e: (n.start + n.duration) / STEP }));
  const scale = new Set((m.mode === 'major' ? MAJOR : MINOR).map((d) => (m.tonic + d) % 12));
  let inKey = 0;
  let steps = 0;
  let above = 0;
  let under = 0;
  for (const n of notes)
    for (let t = n.s; t < n.e; t++) {
      steps++;
      if (scale.has(n.pitch % 12)) inKey++;
      const mel = melodyAt(t);
      if (mel >= 0) ((under += 1), (above += n.pitch > mel ? 1 : 0));
    }
  const bars: number[] = [];
  for (let b = Math.ceil(firstMelody / stepsPerBar) * stepsPerBar; b < melodyEnd; b += stepsPerBar) bars.push(b);
  const covered = bars.filter((b) => trackRefs.every((ref) => notes.some((n) => n.track === ref && n.s <= b && n.e > b))).length;
  const top = trackRefs[0]!;
  return {
    firstMelody,
    melodyEnd,
    firstAccomp: Math.min(...notes.map((n) => n.s)),
    lastAccompStart: Math.max(...notes.map((n) => n.s)),
    onGrid: notes.filter((n) => n.s % 2 === 0).length / notes.length,
    downbeatsCovered: covered / bars.length,
    inKey: inKey / steps,
    aboveMelody: above / under,
    gapToTopVoice: median(m.notes.map(([p]) => p)) - median(notes.filter((n) => n.track === top).map((n) => n.pitch)),
  };
}

for (const model of ['gan', 'arcnn'] as const) {
  describe(`${model} on melodies written for the repo`, () => {
    let gen: Generator;
    beforeAll(async () => {
      gen = await createGenerator(model);
      await gen.initialize();
    });
    afterAll(() => gen?.dispose());

    for (const m of MELODIES)
      it(`harmonises the ${m.name}`, async () => {
        const { score, melody } = fixtureScore(m);
        const res = await gen.generate(score, { task: 'harmonize', sourceTrackIds: [melody.id], seed: 1 });
        const refs = res.newTracks.map((t) => t.ref);
        expect(refs).toHaveLength(3);
        const f = figures(m, res.add, refs);
        // Starts with the melody (no notes before a pickup) and stops with it.
        expect(f.firstAccomp, 'first accompaniment onset (16th steps)').toBe(f.firstMelody);
        expect(f.lastAccompStart).toBeLessThan(f.melodyEnd);
        // Follows the metre: onsets on the 8th-note grid, every bar line harmonised by all voices.
        expect(f.onGrid).toBeGreaterThanOrEqual(0.9);
        expect(f.downbeatsCovered).toBeGreaterThanOrEqual(0.8);
        // In the melody's key, major or minor.
        expect(f.inKey).toBeGreaterThanOrEqual(0.85);
        // Under the melody, in its register (transposed back when the melody lies outside the chorale range).
        expect(f.aboveMelody).toBeLessThanOrEqual(0.05);
        expect(f.gapToTopVoice).toBeGreaterThanOrEqual(0);
        expect(f.gapToTopVoice).toBeLessThanOrEqual(12);
      });
  });
}

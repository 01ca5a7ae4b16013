// The metrics every model reports (see ./music.ts for the exact input types): MuseGAN's EB, UPC,
// QN and TD, plus in-key ratio, polyphony, note density and NLL helpers, and `summarize`, which
// computes the whole set for one multi-track excerpt the same way for all three models.
import { NUM_PITCHES, PITCH_HIGH, PITCH_LOW, REST, STEPS_PER_BAR, VOICES, type Chorale } from '../data/jsb';
import { emptyBarRate, noteDensity, polyphonicRate, polyphony, qualifiedNoteRate, usedPitchClasses, type RollGeometry, type TrackRoll } from './music';
import { inKeyRatio, meanPairwiseTonalDistance, type Key } from './tonal';

export * from './music';
export * from './tonal';
export * from './nll';

export interface MetricSummary {
  /** Per-track values, in track order. */
  EB: number[];
  UPC: number[];
  QN: number[];
  noteDensity: number[];
  /** Whole-excerpt values. */
  TD: number;
  inKey: number;
  polyphony: number;
  polyphonicRate: number;
}

export function summarize(tracks: readonly TrackRoll[], opts: RollGeometry & { key?: Key } = {}): MetricSummary {
  const g = { pitchLow: opts.pitchLow ?? PITCH_LOW, stepsPerBar: opts.stepsPerBar ?? STEPS_PER_BAR };
  return {
    EB: tracks.map((t) => emptyBarRate(t, g)),
    UPC: tracks.map((t) => usedPitchClasses(t, g)),
    QN: tracks.map((t) => qualifiedNoteRate(t)),
    noteDensity: tracks.map((t) => noteDensity(t, g)),
    TD: meanPairwiseTonalDistance(tracks, g),
    inKey: inKeyRatio(tracks, opts.key, g.pitchLow),
    polyphony: polyphony(tracks),
    polyphonicRate: polyphonicRate(tracks),
  };
}

/**
 * A chorale (real or generated) as the metrics read it, the same for every model: one binary
 * [step][pitch] roll per voice, pitch index 0 = PITCH_LOW, a rest an empty row. A pitch outside
 * PITCH_LOW..PITCH_HIGH throws.
 */
export function voiceTracks(ch: Chorale): TrackRoll[] {
  const voices = ch.length > 0 ? ch[0]!.length : VOICES.length;
  return Array.from({ length: voices }, (_, v) =>
    ch.map((step, t) => {
      const row = new Array<number>(NUM_PITCHES).fill(0);
      const midi = step[v]!;
      if (midi === REST) return row;
      if (midi < PITCH_LOW || midi > PITCH_HIGH) throw new Error(`pitch ${midi} at step ${t} is outside ${PITCH_LOW}..${PITCH_HIGH}`);
      row[midi - PITCH_LOW] = 1;
      return row;
    }),
  );
}

/** Mean of each field over many excerpts, ignoring NaN (e.g. an all-rest excerpt's UPC). */
export function averageSummaries(list: readonly MetricSummary[]): MetricSummary {
  const mean = (xs: number[]): number => {
    const v = xs.filter((x) => !Number.isNaN(x));
    return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const tracks = Math.max(0, ...list.map((s) => s.EB.length));
  const perTrack = (f: (s: MetricSummary) => number[]) => Array.from({ length: tracks }, (_, k) => mean(list.map((s) => f(s)[k] ?? NaN)));
  return {
    EB: perTrack((s) => s.EB),
    UPC: perTrack((s) => s.UPC),
    QN: perTrack((s) => s.QN),
    noteDensity: perTrack((s) => s.noteDensity),
    TD: mean(list.map((s) => s.TD)),
    inKey: mean(list.map((s) => s.inKey)),
    polyphony: mean(list.map((s) => s.polyphony)),
    polyphonicRate: mean(list.map((s) => s.polyphonicRate)),
  };
}

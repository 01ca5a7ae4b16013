// The GAN's figures of merit, computed the same way on generated and on real chorales so they can
// be read side by side (training view, eval): MuseGAN's EB / UPC / QN per accompaniment voice, TD
// between the melody and each voice and between voices, and the in-key ratio — all from
// models/metrics over 16th-step binary rolls of one voice each.
import { REST, type Chorale } from '../data/jsb';
import { emptyBarRate, estimateKey, inKeyRatio, qualifiedNoteRate, tonalDistance, usedPitchClasses, voiceTracks } from '../metrics/index';

export interface Quality {
  /** Means over the three accompaniment voices; EB and QN in percent. */
  EB: number;
  UPC: number;
  QN: number;
  /** Per voice (alto, tenor, bass). */
  perVoice: { EB: number[]; UPC: number[]; QN: number[] };
  /** Tonal distance melody ↔ alto / tenor / bass, and between the accompaniment voices (A–T, A–B, T–B). */
  TD_melody: number[];
  TD_between: number[];
  /** Mean of all six pairs above (MuseGAN reports pairwise TD). */
  TD: number;
  /** Fraction (percent) of sounding accompaniment steps in the key estimated from all four voices. */
  inKey: number;
  /** Distinct note lengths (in 16ths) per accompaniment voice and chorale, mean over both (issue 12's "flicker": Bach 5–7). */
  distinctDurations: number;
}

/**
 * How many different note lengths (in steps) one line uses. A note is a run of one pitch (a
 * repeated pitch reads as held, as everywhere in models/metrics); rests are not notes.
 */
export function distinctDurations(line: readonly number[]): number {
  const lengths = new Set<number>();
  let start = 0;
  for (let t = 1; t <= line.length; t++) {
    if (t < line.length && line[t] === line[t - 1]) continue;
    if (line[start] !== REST) lengths.add(t - start);
    start = t;
  }
  return lengths.size;
}

const mean = (xs: readonly number[]): number => {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
};

/** Metrics of each chorale (soprano = melody, A/T/B = accompaniment), averaged over chorales. */
export function chorusQuality(chorales: readonly Chorale[]): Quality {
  const per = chorales.map((ch) => {
    const rolls = voiceTracks(ch);
    const acc = rolls.slice(1);
    return {
      EB: acc.map((r) => emptyBarRate(r) * 100),
      UPC: acc.map((r) => usedPitchClasses(r)),
      QN: acc.map((r) => qualifiedNoteRate(r) * 100),
      TDm: acc.map((r) => tonalDistance(rolls[0]!, r)),
      TDb: [tonalDistance(acc[0]!, acc[1]!), tonalDistance(acc[0]!, acc[2]!), tonalDistance(acc[1]!, acc[2]!)],
      // Key from all four voices (the melody fixes it), share of accompaniment cells inside it.
      inKey: inKeyRatio(acc, estimateKey(rolls)) * 100,
      durations: [1, 2, 3].map((v) => distinctDurations(ch.map((s) => s[v]!))),
    };
  });
  const col = (f: (p: (typeof per)[number]) => number[], i: number): number => mean(per.map((p) => f(p)[i]!));
  const voice = (f: (p: (typeof per)[number]) => number[]): number[] => [0, 1, 2].map((i) => col(f, i));
  const perVoice = { EB: voice((p) => p.EB), UPC: voice((p) => p.UPC), QN: voice((p) => p.QN) };
  const TD_melody = voice((p) => p.TDm);
  const TD_between = voice((p) => p.TDb);
  return {
    EB: mean(perVoice.EB),
    UPC: mean(perVoice.UPC),
    QN: mean(perVoice.QN),
    perVoice,
    TD_melody,
    TD_between,
    TD: mean([...TD_melody, ...TD_between]),
    inKey: mean(per.map((p) => p.inKey)),
    distinctDurations: mean(per.flatMap((p) => p.durations)),
  };
}

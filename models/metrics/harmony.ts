// Harmony and voice-leading metrics (issue 12) on a 16th-note grid: a melody line plus the
// accompaniment voices, each a MIDI pitch or REST (-1) per step. One definition for every model
// and for Bach's own chorales, so the figures are comparable.
//
// Onsets. The JSB grid does not tell a held note from a repeated one, so a voice has an onset at
// step t when it sounds and (t = 0 or its pitch at t − 1 differs, or it rested at t − 1): a
// repeated pitch counts as held. The same reading turns voice lines into notes (runs of one pitch).
//
// Pooling. `harmonyCounts` returns numerators and denominators; add them over pieces with
// `addHarmonyCounts` and divide once with `harmonyFigures`, so long pieces weigh by their length.
import { REST, STEPS_PER_BAR } from '../data/jsb';
import { keyFromChroma, scalePitchClasses } from './tonal';

export interface HarmonyInput {
  /** The melody, one MIDI pitch or REST per 16th step. */
  melody: readonly number[];
  /** Accompaniment voices from top to bottom (the last one is the bass), each as long as the melody. */
  voices: readonly (readonly number[])[];
  /** Steps per bar (default 16 = 4/4). */
  stepsPerBar?: number;
}

/** Raw tallies behind every figure (sum them over pieces, then call harmonyFigures). */
export interface HarmonyCounts {
  bars: number;
  parallels: number;
  /** (melody onset, sounding accompaniment voice) pairs, and how many are consonant. */
  onsetPairs: number;
  onsetConsonant: number;
  /** Melody onsets where the bass sounds, and how many are consonant with the melody. */
  bassPairs: number;
  bassConsonant: number;
  /** Melody onsets where every voice sounds, and how many form a triad or seventh chord. */
  chordSteps: number;
  chordOk: number;
  /** Accompaniment notes (runs of one pitch) and how many last a single 16th. */
  accompNotes: number;
  accompSingle16th: number;
  /** Steps where at least two voices sound, and how many have some pair out of order. */
  crossingSteps: number;
  crossed: number;
  /** Accompaniment voice-steps that sound while the melody sounds, and how many lie above it. */
  belowSteps: number;
  above: number;
  /** Sounding voice-steps (melody and accompaniment) and how many are in the melody's key. */
  accompCells: number;
  inKey: number;
}

/** The figures reported by every eval (JSON keys of issue 12). NaN when the denominator is 0. */
export interface HarmonyFigures {
  /** Parallel perfect fifths / octaves (incl. unisons) per bar, over all pairs of voices incl. the melody. */
  parallels_per_bar: number;
  /** Share of (melody onset, accompaniment voice) pairs at a consonance with the melody. */
  onset_consonance: number;
  /** The same for the bass alone (no fourth). */
  bass_consonance: number;
  /** Share of melody onsets with all voices sounding whose pitch classes form a triad or seventh chord. */
  chord_at_onsets: number;
  /** Share of accompaniment notes lasting exactly one 16th. */
  share_16th: number;
  /** Share of steps (≥ 2 voices sounding) where some voice sits below a voice it should be above. */
  crossings: number;
  /** Share of accompaniment voice-steps (melody sounding) pitched above the melody. */
  above_melody: number;
  /**
   * Share of sounding voice-steps, melody included, whose pitch class is in the key estimated from
   * the melody (the melody is given, so it moves every model and Bach alike; including it matches
   * issue 12's Bach figure of 0.943).
   */
  in_key: number;
}

export const HARMONY_KEYS = ['parallels_per_bar', 'onset_consonance', 'bass_consonance', 'chord_at_onsets', 'share_16th', 'crossings', 'above_melody', 'in_key'] as const satisfies readonly (keyof HarmonyFigures)[];

/** Issue 12's targets (test split, seeds 1–3, default knobs); `max` = at most, else at least. */
export const HARMONY_TARGETS: Partial<Record<keyof HarmonyFigures, { min?: number; max?: number }>> = {
  parallels_per_bar: { max: 0.05 },
  onset_consonance: { min: 0.86 },
  bass_consonance: { min: 0.85 },
  chord_at_onsets: { min: 0.8 },
  share_16th: { max: 0.06 },
  above_melody: { max: 0.01 },
  in_key: { min: 0.92 },
};

const sounds = (m: number | undefined): m is number => m !== undefined && m !== REST && m >= 0;
const mod12 = (x: number): number => ((x % 12) + 12) % 12;

/** Interval classes (semitones mod 12) counted as consonant: unison/octave, 3rds, 5th, 6ths. */
const CONSONANT = new Set([0, 3, 4, 7, 8, 9]);
/** The upper voices may also sit a fourth from the melody. */
const CONSONANT_UPPER = new Set([...CONSONANT, 5]);

/** True when `a` sounds at t and starts there (held = repeated pitch, see the header). */
export function isOnset(line: readonly number[], t: number): boolean {
  return sounds(line[t]) && (t === 0 || line[t - 1] !== line[t]);
}

/**
 * A parallel fifth or octave between two voices across steps t − 1 → t: both sound at both steps,
 * both move in the same direction, and the interval between them (mod 12) is a perfect fifth or
 * an octave/unison at both steps.
 */
export function isParallel(a0: number, a1: number, b0: number, b1: number): boolean {
  if (!sounds(a0) || !sounds(a1) || !sounds(b0) || !sounds(b1)) return false;
  const da = Math.sign(a1 - a0);
  if (da === 0 || da !== Math.sign(b1 - b0)) return false;
  const i0 = mod12(Math.abs(a0 - b0));
  const i1 = mod12(Math.abs(a1 - b1));
  return i0 === i1 && (i0 === 0 || i0 === 7);
}

// Chord templates as pitch-class sets relative to the root. Seventh chords may omit their fifth
// (the usual four-voice spacing doubles the root instead).
const TRIADS = [
  [0, 4, 7],
  [0, 3, 7],
  [0, 3, 6],
  [0, 4, 8],
];
const SEVENTHS = [
  [0, 4, 7, 10],
  [0, 4, 7, 11],
  [0, 3, 7, 10],
  [0, 3, 6, 10],
  [0, 3, 6, 9],
  [0, 3, 7, 11],
];
const CHORD_SETS: Set<string> = (() => {
  const out = new Set<string>();
  const add = (pcs: number[]) => out.add([...new Set(pcs.map(mod12))].sort((x, y) => x - y).join(','));
  for (let root = 0; root < 12; root++) {
    for (const t of TRIADS) add(t.map((i) => i + root));
    for (const s of SEVENTHS) {
      add(s.map((i) => i + root));
      add(s.filter((_, k) => k !== 2).map((i) => i + root));
    }
  }
  return out;
})();

/** Do these pitches' classes form a major/minor/diminished/augmented triad or a seventh chord? */
export function isTriadOrSeventh(pitches: readonly number[]): boolean {
  const key = [...new Set(pitches.map(mod12))].sort((x, y) => x - y).join(',');
  return CHORD_SETS.has(key);
}

export function emptyHarmonyCounts(): HarmonyCounts {
  return {
    bars: 0,
    parallels: 0,
    onsetPairs: 0,
    onsetConsonant: 0,
    bassPairs: 0,
    bassConsonant: 0,
    chordSteps: 0,
    chordOk: 0,
    accompNotes: 0,
    accompSingle16th: 0,
    crossingSteps: 0,
    crossed: 0,
    belowSteps: 0,
    above: 0,
    accompCells: 0,
    inKey: 0,
  };
}

export function addHarmonyCounts(a: HarmonyCounts, b: HarmonyCounts): HarmonyCounts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof HarmonyCounts)[]) out[k] += b[k];
  return out;
}

/** Tallies for one piece. */
export function harmonyCounts(input: HarmonyInput): HarmonyCounts {
  const { melody, voices } = input;
  const steps = melody.length;
  for (const v of voices) if (v.length !== steps) throw new Error(`harmonyCounts: a voice has ${v.length} steps, the melody ${steps}`);
  const spb = input.stepsPerBar ?? STEPS_PER_BAR;
  const all = [melody, ...voices];
  const bass = voices.length - 1;
  const c = emptyHarmonyCounts();
  c.bars = steps / spb;

  for (let t = 1; t < steps; t++)
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) if (isParallel(all[i]![t - 1]!, all[i]![t]!, all[j]![t - 1]!, all[j]![t]!)) c.parallels++;

  for (let t = 0; t < steps; t++) {
    const m = melody[t]!;
    if (isOnset(melody, t)) {
      voices.forEach((v, k) => {
        const p = v[t]!;
        if (!sounds(p)) return;
        const ic = mod12(Math.abs(m - p));
        c.onsetPairs++;
        if ((k === bass ? CONSONANT : CONSONANT_UPPER).has(ic)) c.onsetConsonant++;
        if (k === bass) {
          c.bassPairs++;
          if (CONSONANT.has(ic)) c.bassConsonant++;
        }
      });
      if (all.every((v) => sounds(v[t]))) {
        c.chordSteps++;
        if (isTriadOrSeventh(all.map((v) => v[t]!))) c.chordOk++;
      }
    }
    // Crossings: any pair (upper i, lower j), both sounding, with the upper one strictly lower.
    const sounding = all.map((v) => v[t]!).filter(sounds).length;
    if (sounding >= 2) {
      c.crossingSteps++;
      let crossed = false;
      for (let i = 0; i < all.length && !crossed; i++)
        for (let j = i + 1; j < all.length; j++) if (sounds(all[i]![t]) && sounds(all[j]![t]) && all[i]![t]! < all[j]![t]!) crossed = true;
      if (crossed) c.crossed++;
    }
    if (sounds(m))
      for (const v of voices)
        if (sounds(v[t])) {
          c.belowSteps++;
          if (v[t]! > m) c.above++;
        }
  }

  for (const v of voices) {
    let start = -1;
    for (let t = 0; t <= steps; t++) {
      if (t < steps && t > 0 && v[t] === v[t - 1]) continue;
      if (start >= 0 && sounds(v[start])) {
        c.accompNotes++;
        if (t - start === 1) c.accompSingle16th++;
      }
      start = t;
    }
  }

  // Key from the melody alone (Krumhansl–Schmuckler on its duration-weighted chroma).
  const chroma = new Array<number>(12).fill(0);
  for (const m of melody) if (sounds(m)) chroma[mod12(m)]!++;
  if (chroma.some((x) => x > 0)) {
    const scale = scalePitchClasses(keyFromChroma(chroma));
    for (const v of all)
      for (const p of v)
        if (sounds(p)) {
          c.accompCells++;
          if (scale.has(mod12(p))) c.inKey++;
        }
  }
  return c;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

export function harmonyFigures(c: HarmonyCounts): HarmonyFigures {
  return {
    parallels_per_bar: ratio(c.parallels, c.bars),
    onset_consonance: ratio(c.onsetConsonant, c.onsetPairs),
    bass_consonance: ratio(c.bassConsonant, c.bassPairs),
    chord_at_onsets: ratio(c.chordOk, c.chordSteps),
    share_16th: ratio(c.accompSingle16th, c.accompNotes),
    crossings: ratio(c.crossed, c.crossingSteps),
    above_melody: ratio(c.above, c.belowSteps),
    in_key: ratio(c.inKey, c.accompCells),
  };
}

/** Figures for one piece. */
export function harmonyMetrics(input: HarmonyInput): HarmonyFigures {
  return harmonyFigures(harmonyCounts(input));
}

/** A JSB chorale ([step][S, A, T, B]) as a HarmonyInput: soprano = melody, A/T/B = voices. */
export function choraleHarmonyInput(ch: readonly (readonly number[])[]): HarmonyInput {
  return { melody: ch.map((s) => s[0]!), voices: [1, 2, 3].map((v) => ch.map((s) => s[v]!)) };
}

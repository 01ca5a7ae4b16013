// Objective music metrics, following MuseGAN (Dong et al., 2018, §"Objective metrics") where it
// defines them, computed over per-track binary piano rolls.
//
// Input type used throughout: `TrackRoll` = number[][] indexed [time step][pitch index], one row
// per 16th-note step, a cell > 0.5 means "sounding". Pitch index 0 is MIDI pitch `pitchLow`
// (default PITCH_LOW = 36, the JSB pitch window, as ./index.ts voiceTracks builds them; pass 0
// for full 128-pitch rows). A bar is `stepsPerBar` steps (default 16, 4/4); a trailing partial bar is ignored.
// A "note" is a maximal run of consecutive sounding steps at one pitch (the grids do not
// distinguish held from repeated notes, so neither do these metrics).
import { PITCH_LOW, STEPS_PER_BAR } from '../data/jsb';

export type TrackRoll = number[][];

export interface RollGeometry {
  pitchLow?: number;
  stepsPerBar?: number;
}

const on = (v: number | undefined): boolean => (v ?? 0) > 0.5;

function bars(track: TrackRoll, stepsPerBar: number): TrackRoll[] {
  const out: TrackRoll[] = [];
  for (let s = 0; s + stepsPerBar <= track.length; s += stepsPerBar) out.push(track.slice(s, s + stepsPerBar));
  return out;
}

const isEmpty = (rows: TrackRoll): boolean => rows.every((r) => !r.some(on));

/** Notes as [pitchIndex, startStep, lengthInSteps]. */
export function extractNotes(track: TrackRoll): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const pitches = track.reduce((m, r) => Math.max(m, r.length), 0);
  for (let p = 0; p < pitches; p++) {
    let start = -1;
    for (let t = 0; t <= track.length; t++) {
      const active = t < track.length && on(track[t]![p]);
      if (active && start < 0) start = t;
      if (!active && start >= 0) {
        out.push([p, start, t - start]);
        start = -1;
      }
    }
  }
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** EB: fraction of (full) bars in which the track plays nothing. NaN when there is no full bar. */
export function emptyBarRate(track: TrackRoll, opts: RollGeometry = {}): number {
  const bs = bars(track, opts.stepsPerBar ?? STEPS_PER_BAR);
  return bs.length === 0 ? NaN : bs.filter(isEmpty).length / bs.length;
}

/** Pitch classes (0 = C) sounding anywhere in `rows`. */
export function pitchClassSet(rows: TrackRoll, pitchLow = PITCH_LOW): Set<number> {
  const set = new Set<number>();
  for (const r of rows) for (let p = 0; p < r.length; p++) if (on(r[p])) set.add((((p + pitchLow) % 12) + 12) % 12);
  return set;
}

/** UPC: distinct pitch classes per bar, averaged over the non-empty bars (NaN if all are empty). */
export function usedPitchClasses(track: TrackRoll, opts: RollGeometry = {}): number {
  const bs = bars(track, opts.stepsPerBar ?? STEPS_PER_BAR).filter((b) => !isEmpty(b));
  if (bs.length === 0) return NaN;
  return bs.reduce((s, b) => s + pitchClassSet(b, opts.pitchLow ?? PITCH_LOW).size, 0) / bs.length;
}

/** QN: fraction of notes at least `minSteps` long (MuseGAN's "qualified" notes; 3 16ths here). */
export function qualifiedNoteRate(track: TrackRoll, minSteps = 3): number {
  const notes = extractNotes(track);
  return notes.length === 0 ? NaN : notes.filter((n) => n[2] >= minSteps).length / notes.length;
}

/** Notes (onsets of runs) per full bar. */
export function noteDensity(track: TrackRoll, opts: RollGeometry = {}): number {
  const spb = opts.stepsPerBar ?? STEPS_PER_BAR;
  const nBars = Math.floor(track.length / spb);
  if (nBars === 0) return NaN;
  return extractNotes(track.slice(0, nBars * spb)).length / nBars;
}

/** Union of several tracks into one roll (rows padded to the longest). */
export function mergeTracks(tracks: readonly TrackRoll[]): TrackRoll {
  const steps = Math.max(0, ...tracks.map((t) => t.length));
  const pitches = Math.max(0, ...tracks.flatMap((t) => t.map((r) => r.length)));
  const out: TrackRoll = Array.from({ length: steps }, () => new Array<number>(pitches).fill(0));
  for (const t of tracks)
    t.forEach((r, i) =>
      r.forEach((v, p) => {
        if (on(v)) out[i]![p] = 1;
      }),
    );
  return out;
}

/** Mean number of simultaneously sounding pitches over the steps where anything sounds. */
export function polyphony(tracks: readonly TrackRoll[]): number {
  const merged = mergeTracks(tracks);
  let sum = 0;
  let n = 0;
  for (const r of merged) {
    const k = r.filter(on).length;
    if (k > 0) {
      sum += k;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/** MuseGAN's polyphonicity: fraction of sounding steps with at least `minPitches` pitches. */
export function polyphonicRate(tracks: readonly TrackRoll[], minPitches = 2): number {
  const merged = mergeTracks(tracks);
  const counts = merged.map((r) => r.filter(on).length).filter((k) => k > 0);
  return counts.length === 0 ? NaN : counts.filter((k) => k >= minPitches).length / counts.length;
}

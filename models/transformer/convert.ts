// Score ↔ the model's grid: between the shared score and decode plans. The source track(s) are read on the 16th grid: a
// monophonic source is a melody (the soprano; its top note where notes overlap), anything
// polyphonic is split into S/A/T/B per step (highest, second, third, lowest sounding pitch). The
// material is moved by whole octaves so the soprano sits where Bach's sopranos sit, and generated
// voices are moved back by the same amount, so intervals against the user's notes are exact.
import { ticksPerBar, type NoteData, type Score, type TrackId } from '../../lib/score';
import { REST, type Chorale } from '../data/jsb';
import { fitPitch, quantizeNote, stepToTick, TICKS_PER_STEP } from '../data/score-convert';
import { GeneratorParamError } from '../generator';

/** Typical centre of the JSB soprano line (MIDI A4-ish); melodies are moved by octaves towards it. */
const SOPRANO_CENTRE = 69;

export function stepsPerBar(score: Score): number {
  return Math.round(ticksPerBar(score.meta.timeSignature) / TICKS_PER_STEP);
}

/** All pitches sounding at each step [from, from+steps) in the given tracks (sorted high → low). */
export function soundingPitches(score: Score, trackIds: readonly TrackId[], from: number, steps: number): number[][] {
  const grid: number[][] = Array.from({ length: steps }, () => []);
  for (const n of score.notes) {
    if (!trackIds.includes(n.trackId)) continue;
    const [s, e] = quantizeNote(n);
    for (let t = Math.max(s, from); t < Math.min(e, from + steps); t++) grid[t - from]!.push(n.pitch);
  }
  for (const g of grid) g.sort((a, b) => b - a);
  return grid;
}

/** One step past the last note of the tracks (0 when they are empty). */
export function materialEnd(score: Score, trackIds: readonly TrackId[]): number {
  let end = 0;
  for (const n of score.notes) if (trackIds.includes(n.trackId)) end = Math.max(end, quantizeNote(n)[1]);
  return end;
}

export function isMonophonic(grid: readonly number[][]): boolean {
  return grid.every((g) => new Set(g).size <= 1);
}

/** S/A/T/B from the pitches of one step: highest, second, third, lowest; missing inner voices rest. */
export function splitVoices(pitches: readonly number[]): number[] {
  const u = [...new Set(pitches)].sort((a, b) => b - a);
  if (u.length === 0) return [REST, REST, REST, REST];
  if (u.length === 1) return [u[0]!, REST, REST, REST];
  if (u.length === 2) return [u[0]!, REST, REST, u[1]!];
  if (u.length === 3) return [u[0]!, u[1]!, REST, u[2]!];
  return [u[0]!, u[1]!, u[2]!, u[u.length - 1]!];
}

/** Octave shift that moves the median soprano pitch closest to the JSB soprano centre. */
export function octaveShift(sopranoPitches: readonly number[]): number {
  const ps = sopranoPitches.filter((p) => p !== REST).sort((a, b) => a - b);
  if (ps.length === 0) return 0;
  const median = ps[Math.floor(ps.length / 2)]!;
  return 12 * Math.round((SOPRANO_CENTRE - median) / 12);
}

/** A pitch moved into the model's window (octave folding), or REST. */
export function toModelPitch(p: number, shift: number): number {
  return p === REST ? REST : fitPitch(p + shift)!;
}

/** Consecutive equal pitches of one voice → notes (voice k → trackIds[k]; null skips the voice). */
export function voicesToNotes(ch: Chorale, trackIds: ReadonlyArray<TrackId | null>, fromStep: number, shift: number, velocity = 80): NoteData[] {
  const out: NoteData[] = [];
  trackIds.forEach((trackId, k) => {
    if (!trackId) return;
    let start = 0;
    for (let t = 1; t <= ch.length; t++) {
      const prev = ch[t - 1]![k]!;
      if (t < ch.length && ch[t]![k] === prev) continue;
      if (prev !== REST) {
        const pitch = Math.min(127, Math.max(0, prev - shift));
        out.push({ trackId, pitch, start: stepToTick(fromStep + start), duration: stepToTick(t - start), velocity });
      }
      start = t;
    }
  });
  return out.sort((a, b) => a.start - b.start || b.pitch - a.pitch);
}

/** Mean sounding pitch of each track (NaN for an empty track). */
export function meanPitches(score: Score, trackIds: readonly TrackId[]): number[] {
  return trackIds.map((id) => {
    const ps = score.notes.filter((n) => n.trackId === id).map((n) => n.pitch);
    return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : NaN;
  });
}

/** For each voice, the source track whose mean pitch is closest to that voice's mean pitch. */
export function nearestTracks(voiceMeans: readonly number[], trackIds: readonly TrackId[], trackMeans: readonly number[]): TrackId[] {
  return voiceMeans.map((vm) => {
    let best = 0;
    for (let i = 1; i < trackIds.length; i++) {
      const d = Math.abs((trackMeans[i] ?? Infinity) - vm);
      if (d < Math.abs((trackMeans[best] ?? Infinity) - vm) || Number.isNaN(trackMeans[best]!)) best = i;
    }
    return trackIds[best]!;
  });
}

export function checkTracks(score: Score, ids: readonly TrackId[], what: string): void {
  if (ids.length === 0) throw new GeneratorParamError(`${what}: no track given`);
  for (const id of ids) if (!score.tracks.some((t) => t.id === id)) throw new GeneratorParamError(`${what}: track "${id}" does not exist in the score`);
}

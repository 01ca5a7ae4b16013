// Uploaded MIDI as training data for the model studio (issue 18): each file's score becomes a
// four-voice chorale at 16th steps (the JSB format every trainer reads), and a collection is
// split into train and valid the way the JSB data is (never anything called test), then written as
// a Jsb16thSeparated.json the trainers load through TUTTI_JSB_DIR. Pure data: no tensors.
import fs from 'node:fs';
import path from 'node:path';
import type { Score } from '../../lib/score';
import { JSB_FILE, PITCH_HIGH, PITCH_LOW, REST, STEPS_PER_BAR, type Chorale, type JsbData } from '../data/jsb';
import { fitPitch, quantizeNote } from '../data/score-convert';

/** Shortest piece a trainer's 4-bar window reads; shorter pieces are looped up to it. */
export const MIN_PIECE_STEPS = 4 * STEPS_PER_BAR;

/**
 * Soprano, alto, tenor, bass from any number of tracks: at each 16th step the distinct sounding
 * pitches (drums excluded), highest first, fill S, A, T; the lowest of four or more is the bass,
 * and with two or three the lowest is the bass too (a melody and its bass line keep their roles).
 */
export function scoreToVoices(score: Score): Chorale {
  const drums = new Set(score.tracks.filter((t) => t.instrument === 'drums').map((t) => t.id as string));
  let steps = 0;
  const spans: Array<[number, number, number]> = [];
  for (const n of score.notes) {
    if (drums.has(n.trackId)) continue;
    const p = fitPitch(n.pitch);
    if (p === null) continue;
    const [s, e] = quantizeNote(n);
    spans.push([s, e, p]);
    steps = Math.max(steps, e);
  }
  const sounding: number[][] = Array.from({ length: steps }, () => []);
  for (const [s, e, p] of spans) for (let t = s; t < e; t++) if (!sounding[t]!.includes(p)) sounding[t]!.push(p);
  return sounding.map((ps) => {
    const row = [REST, REST, REST, REST];
    ps.sort((a, b) => b - a);
    if (ps.length === 1) row[0] = ps[0]!;
    else if (ps.length >= 2) {
      row[0] = ps[0]!;
      row[3] = ps[ps.length - 1]!;
      if (ps.length >= 3) row[1] = ps[1]!;
      if (ps.length >= 4) row[2] = ps[2]!;
    }
    return row;
  });
}

/** Leading and trailing silence trimmed; a piece shorter than a 4-bar window is looped up to one. */
export function trimAndLoop(ch: Chorale): Chorale {
  const sounds = (r: number[]) => r.some((p) => p !== REST);
  let a = 0;
  let b = ch.length;
  // Trim to whole bars from the first sounding bar so the trainers' bar positions stay right.
  while (a + STEPS_PER_BAR <= b && !ch.slice(a, a + STEPS_PER_BAR).some(sounds)) a += STEPS_PER_BAR;
  while (b > a && !sounds(ch[b - 1]!)) b--;
  const piece = ch.slice(a, b);
  if (piece.length === 0) return piece;
  const bars = Math.ceil(piece.length / STEPS_PER_BAR) * STEPS_PER_BAR;
  const whole = [...piece, ...Array.from({ length: bars - piece.length }, () => [REST, REST, REST, REST])];
  const out: Chorale = [];
  while (out.length < MIN_PIECE_STEPS) out.push(...whole.map((r) => [...r]));
  return out;
}

/** Pitched notes, not counting drums. */
export function pitchedNotes(score: Score): number {
  const drums = new Set(score.tracks.filter((t) => t.instrument === 'drums').map((t) => t.id as string));
  return score.notes.filter((n) => !drums.has(n.trackId)).length;
}

/**
 * Train / valid split of a collection: about one piece in six held out (at least one), the rest to
 * train. A single piece is split in time instead (its last sixth, at least a bar, validates).
 * `test` stays empty: a user's data has no test split, and the trainers never read one.
 */
export function splitCollection(pieces: Chorale[]): JsbData {
  if (pieces.length === 0) throw new Error('no pieces to train on');
  if (pieces.length === 1) {
    const ch = pieces[0]!;
    const cut = Math.max(STEPS_PER_BAR, Math.floor(ch.length / 6 / STEPS_PER_BAR) * STEPS_PER_BAR);
    return { train: [trimAndLoop(ch.slice(0, ch.length - cut))], valid: [trimAndLoop(ch.slice(ch.length - cut))], test: [] };
  }
  const nValid = Math.max(1, Math.round(pieces.length / 6));
  // Every k-th piece validates, so the held-out part spreads over the upload's order.
  const every = Math.floor(pieces.length / nValid);
  const valid: Chorale[] = [];
  const train: Chorale[] = [];
  pieces.forEach((p, i) => ((i + 1) % every === 0 && valid.length < nValid ? valid : train).push(p));
  return { train, valid, test: [] };
}

/** Writes the split where loadJsb reads it (set TUTTI_JSB_DIR to `dir`). */
export function writeDataset(dir: string, data: JsbData): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, JSB_FILE), JSON.stringify(data));
}

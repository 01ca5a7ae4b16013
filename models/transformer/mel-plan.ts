// From a melody on the score's 16th grid to the melody-encoder model's input: only the span from
// the melody's first sounding step to its last is harmonised (a pickup is accompanied from the
// pickup on, never before it, and nothing is written after the melody ends); the melody is moved
// by whole octaves into the chorale soprano's register; every step gets its metrical level from
// the score's time signature and its position after the last bar line.
import { REST } from '../data/jsb';
import { pitchToToken } from '../data/tokens';
import { melodyPiece, type MelodyPiece } from './mel-encoding';
import { metreOf } from './meter';
import { octaveShift, toModelPitch } from './convert';

export interface MelodyPlan {
  /** First and one-past-last harmonised step, relative to the melody array. */
  first: number;
  last: number;
  /** Semitones added to the melody to bring it into the model's register (subtract from the output). */
  shift: number;
  piece: MelodyPiece;
}

/**
 * `melody`: one MIDI pitch or REST per step, its step 0 lying `posInBar` 16ths after a bar line of
 * a score in `timeSignature`. Throws if the melody never sounds.
 */
export function melodyPlan(melody: readonly number[], posInBar: number, timeSignature: readonly [number, number]): MelodyPlan {
  let first = 0;
  while (first < melody.length && melody[first] === REST) first++;
  if (first === melody.length) throw new Error('the melody has no notes');
  let last = melody.length;
  while (melody[last - 1] === REST) last--;
  const span = melody.slice(first, last);
  const shift = octaveShift(span);
  const tokens = span.map((p) => pitchToToken(toModelPitch(p, shift)));
  return { first, last, shift, piece: melodyPiece(tokens, posInBar + first, metreOf(timeSignature)) };
}

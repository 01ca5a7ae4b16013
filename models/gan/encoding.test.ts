// Pure encoding and score-mapping helpers: class ⇄ pitch, one-hot layouts, windows that stay in
// the pitch window under transposition, the melody skyline, the register shift and note merging.
import { describe, expect, it } from 'vitest';
import { DEFAULT_META, PPQ, type Note, type NoteId, type Score, type TrackId } from '../../lib/score';
import { PITCH_HIGH, PITCH_LOW, REST, type Chorale } from '../data/jsb';
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES, REST_CLASS } from './config';
import { classToPitch, decodeClasses, encodeAccompaniment, pitchToClass, sampleBatch } from './encoding';
import { lineToNotes, melodyLine, toSopranoRegister } from './convert';

describe('GAN encoding', () => {
  it('maps pitches and rests to classes and back', () => {
    for (let m = PITCH_LOW; m <= PITCH_HIGH; m++) expect(classToPitch(pitchToClass(m))).toBe(m);
    expect(pitchToClass(REST)).toBe(REST_CLASS);
    expect(() => pitchToClass(PITCH_HIGH + 1)).toThrow();
  });

  it('one-hot per voice per step, voice-major within a step', () => {
    const ch: Chorale = [
      [72, 67, 64, 48],
      [72, REST, 62, 50],
    ];
    const enc = encodeAccompaniment(ch);
    expect(enc.length).toBe(2 * NUM_ACCOMP * NUM_CLASSES);
    expect(enc.reduce((a, b) => a + b, 0)).toBe(6);
    expect(enc[(1 * NUM_ACCOMP + 0) * NUM_CLASSES + REST_CLASS]).toBe(1);
    expect(enc[(0 * NUM_ACCOMP + 2) * NUM_CLASSES + (48 - PITCH_LOW)]).toBe(1);
    expect(decodeClasses([67 - PITCH_LOW, 64 - PITCH_LOW, 48 - PITCH_LOW], 1)).toEqual([[67], [64], [48]]);
  });

  it('batches transpose windows but keep every voice inside the pitch window', () => {
    const high: Chorale = Array.from({ length: 64 }, (_, t) => [PITCH_HIGH - (t % 3), 70, 60, PITCH_LOW + 1]);
    const b = sampleBatch([high], 32, 64, createRng(1), 6);
    for (const w of b.windows) for (const s of w) for (const m of s) if (m !== REST) expect(m >= PITCH_LOW && m <= PITCH_HIGH).toBe(true);
    expect(new Set(b.windows.map((w) => w[0]![3])).size).toBeGreaterThan(1);
  });
});

describe('GAN score mapping', () => {
  const tid = 'm' as TrackId;
  const note = (pitch: number, start: number, duration: number, trackId = tid): Note => ({
    id: `n${pitch}${start}` as NoteId,
    trackId,
    pitch,
    start,
    duration,
    velocity: 90,
  });
  const step = PPQ / 4;

  it('takes the highest sounding pitch per 16th step across source notes', () => {
    const score: Score = {
      meta: DEFAULT_META,
      tracks: [],
      notes: [note(60, 0, 4 * step), note(67, 2 * step, 4 * step), note(90, 0, 8 * step, 'x' as TrackId)],
    };
    expect(melodyLine(score, [tid], 0, 8)).toEqual([60, 60, 67, 67, 67, 67, REST, REST]);
  });

  it('shifts a low melody up by octaves into the soprano register and reports the shift', () => {
    const { line, shift } = toSopranoRegister([48, 50, REST, 52]);
    expect(shift).toBe(24);
    expect(line).toEqual([72, 74, REST, 76]);
  });

  it('merges repeated steps into notes and transposes back', () => {
    const notes = lineToNotes([60, 60, REST, 62, 62, 62], tid, 4, 80, -12);
    expect(notes).toEqual([
      { trackId: tid, pitch: 48, start: 4 * step, duration: 2 * step, velocity: 80 },
      { trackId: tid, pitch: 50, start: 7 * step, duration: 3 * step, velocity: 80 },
    ]);
  });
});

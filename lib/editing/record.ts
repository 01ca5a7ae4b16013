// Live MIDI recording: raw Web MIDI messages → note on/off, and a take (notes with the ticks they
// were pressed and released at) → notes for the score, quantised to the grid when it is on.
import { snapRound } from './grid';

export type MidiNoteEvent = { type: 'on' | 'off'; pitch: number; velocity: number; channel: number };

/** Note on/off from a MIDI message's bytes; anything else (clock, CC, sysex) is null. A note-on of velocity 0 is a note-off. */
export function parseMidiMessage(data: ArrayLike<number>): MidiNoteEvent | null {
  if (data.length < 3) return null;
  const status = data[0]! & 0xf0;
  const channel = data[0]! & 0x0f;
  const pitch = data[1]! & 0x7f;
  const velocity = data[2]! & 0x7f;
  if (status === 0x90 && velocity > 0) return { type: 'on', pitch, velocity, channel };
  if (status === 0x80 || status === 0x90) return { type: 'off', pitch, velocity, channel };
  return null;
}

export interface TakeNote {
  pitch: number;
  velocity: number;
  /** Transport ticks at note on / note off. */
  on: number;
  off: number;
}

/**
 * Notes of a take for the score: starts rounded to the grid (grid 0 = off: whole ticks), lengths
 * rounded to the grid but never below one step (or one tick), velocity kept. Notes pressed before
 * `fromTick` (the count-in) start at `fromTick`.
 */
export function takeToNotes(take: readonly TakeNote[], grid: number, fromTick = 0): { pitch: number; velocity: number; start: number; duration: number }[] {
  return take
    .map((n) => {
      const on = Math.max(fromTick, n.on);
      const off = Math.max(on, n.off);
      const start = Math.max(0, snapRound(on, grid));
      const duration = Math.max(grid > 0 ? grid : 1, snapRound(off - on, grid));
      return { pitch: n.pitch, velocity: Math.max(1, Math.min(127, n.velocity)), start, duration };
    })
    .sort((a, b) => a.start - b.start || a.pitch - b.pitch);
}

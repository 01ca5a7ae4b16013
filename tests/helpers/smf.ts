// Builds Standard MIDI Files in memory for tests that need sizes no fixture should be committed at
// (100,000 notes, 3,000 tracks) or values the @tonejs/midi writer cannot produce (ticks past 2^31).
import type { MidiData, MidiEvent } from 'midi-file';
import { writeMidi } from '@/lib/midi/midifile';

export interface SmfNote {
  tick: number;
  pitch: number;
  duration: number;
}

/** A format-1 file at `ppq` ticks per quarter, one MTrk per entry of `tracks` (channel = index % 16). */
export function buildSmf(tracks: SmfNote[][], ppq = 480): Uint8Array {
  const chunks = tracks.map((notes, i) => {
    const channel = i % 16 === 9 ? 0 : i % 16; // keep off the drum channel
    const events: { at: number; ev: Omit<MidiEvent, 'deltaTime'> }[] = [];
    for (const n of notes) {
      events.push({ at: n.tick, ev: { type: 'noteOn', channel, noteNumber: n.pitch, velocity: 90 } as never });
      events.push({ at: n.tick + n.duration, ev: { type: 'noteOff', channel, noteNumber: n.pitch, velocity: 0 } as never });
    }
    events.sort((a, b) => a.at - b.at);
    let last = 0;
    const out: MidiEvent[] = events.map(({ at, ev }) => {
      const e = { ...ev, deltaTime: at - last } as MidiEvent;
      last = at;
      return e;
    });
    out.push({ deltaTime: 0, meta: true, type: 'endOfTrack' } as MidiEvent);
    return out;
  });
  const data: MidiData = { header: { format: 1, numTracks: chunks.length, ticksPerBeat: ppq }, tracks: chunks };
  return Uint8Array.from(writeMidi(data));
}

/** `count` notes spread over `tracks` tracks: a steady stream of sixteenths, pitches 48–83. */
export function manyNotes(count: number, tracks = 1): SmfNote[][] {
  const out: SmfNote[][] = Array.from({ length: tracks }, () => []);
  for (let i = 0; i < count; i++) out[i % tracks]!.push({ tick: Math.floor(i / tracks) * 120, pitch: 48 + (i % 36), duration: 110 });
  return out;
}

// Score → Standard MIDI file (format 1, 480 PPQ, one MIDI track per Tutti track). Drum tracks go to
// GM channel 10; the others get their own channels so a DAW keeps their instruments apart.
import { Midi } from './tonejs';
import { PPQ, temposOf, timeSignaturesOf, type Score } from '../score';
import { DRUM_CHANNEL, INSTRUMENT_TO_PROGRAM } from './instruments';
import { sharpsFromKey } from './key';
import { parseMidi, writeMidi } from './midifile';

export function scoreToMidi(score: Score): Uint8Array {
  const midi = new Midi();
  midi.header.name = score.meta.title;
  // Every tempo and metre change (tick-0 values from meta.bpm / meta.timeSignature, tempo-map.ts).
  for (const t of temposOf(score.meta)) midi.header.tempos.push({ ticks: t.tick, bpm: t.bpm });
  for (const s of timeSignaturesOf(score.meta)) midi.header.timeSignatures.push({ ticks: s.tick, timeSignature: [s.numerator, s.denominator] });
  midi.header.update();

  const byTrack = new Map<string, Score['notes']>();
  for (const n of score.notes) {
    const list = byTrack.get(n.trackId);
    if (list) list.push(n);
    else byTrack.set(n.trackId, [n]);
  }
  let nextChannel = 0;
  for (const t of [...score.tracks].sort((a, b) => a.order - b.order)) {
    const mt = midi.addTrack();
    mt.name = t.name;
    if (t.instrument === 'drums') mt.channel = DRUM_CHANNEL;
    else {
      if (nextChannel === DRUM_CHANNEL) nextChannel++;
      mt.channel = nextChannel % 16;
      nextChannel++;
      mt.instrument.number = INSTRUMENT_TO_PROGRAM[t.instrument];
    }
    for (const n of byTrack.get(t.id) ?? []) {
      mt.addNote({ midi: n.pitch, ticks: n.start, durationTicks: n.duration, velocity: (n.velocity + 0.5) / 127 }) // the encoder floors v*127;
    }
  }
  if (midi.header.ppq !== PPQ) throw new Error(`@tonejs/midi default PPQ changed to ${midi.header.ppq}`);
  return withKeySignature(midi.toArray(), score.meta.key);
}

/** Inserts the key signature into the conductor track (see key.ts for why not via @tonejs/midi). */
function withKeySignature(bytes: Uint8Array, key: string): Uint8Array {
  const sig = sharpsFromKey(key);
  if (!sig) return bytes;
  const data = parseMidi(bytes);
  data.tracks[0]!.unshift({ deltaTime: 0, meta: true, type: 'keySignature', key: sig.sharps, scale: sig.minor ? 1 : 0 });
  return Uint8Array.from(writeMidi(data));
}

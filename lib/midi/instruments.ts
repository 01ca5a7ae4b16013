// General MIDI program families ⇄ Tutti's instrument palette. Import maps a GM family to the closest
// Tutti instrument; export picks a representative GM program so other software plays something alike.
import type { Instrument } from '../score';

/** GM channel 10 (index 9) is the percussion channel by convention. */
export const DRUM_CHANNEL = 9;

const FAMILY_TO_INSTRUMENT: Record<string, Instrument> = {
  piano: 'piano',
  'chromatic percussion': 'piano',
  organ: 'organ',
  guitar: 'piano',
  bass: 'bass',
  strings: 'strings',
  ensemble: 'strings',
  brass: 'lead',
  reed: 'lead',
  pipe: 'lead',
  'synth lead': 'lead',
  'synth pad': 'pad',
  'synth effects': 'pad',
  ethnic: 'piano',
  percussive: 'piano',
  'sound effects': 'pad',
  drums: 'drums',
};

/** GM program number (0-based) used on export. */
export const INSTRUMENT_TO_PROGRAM: Record<Instrument, number> = {
  piano: 0, // acoustic grand piano
  strings: 48, // string ensemble 1
  bass: 32, // acoustic bass
  organ: 19, // church organ
  pad: 89, // pad 2 (warm)
  drums: 0, // standard kit (channel 10)
  lead: 80, // lead 1 (square)
  choir: 52, // choir aahs
};

export function instrumentFromMidi(family: string, program: number, percussion: boolean): Instrument {
  if (percussion) return 'drums';
  if (program >= 52 && program <= 54) return 'choir';
  return FAMILY_TO_INSTRUMENT[family] ?? 'piano';
}

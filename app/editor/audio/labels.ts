// Display names of the instruments (kept apart from instruments.ts so the UI does not load Tone.js).
import type { Instrument } from '@/lib/score';

export const INSTRUMENT_LABELS: Record<Instrument, string> = {
  piano: 'Piano',
  strings: 'Strings',
  bass: 'Bass',
  organ: 'Organ',
  pad: 'Pad',
  drums: 'Drum kit',
  lead: 'Lead synth',
  choir: 'Choir',
};

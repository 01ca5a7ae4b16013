// Three short public-domain melodies for the models page's "how it works" views, so a visitor can
// watch the models work without a session of their own. Notes on Tutti's grid (PPQ 480 ticks per
// quarter), one monophonic line each, all in 4/4.
import { PPQ, type TimeSignature } from '../score/types';

export interface MelodyNote {
  /** MIDI pitch. */
  pitch: number;
  /** Ticks from the start (PPQ per quarter note). */
  start: number;
  duration: number;
}

export interface BuiltinMelody {
  id: BuiltinMelodyId;
  title: string;
  /** Where it comes from and why it is free to use. */
  credit: string;
  timeSignature: TimeSignature;
  bpm: number;
  notes: MelodyNote[];
}

export const BUILTIN_MELODY_IDS = ['ode-to-joy', 'twinkle', 'frere-jacques'] as const;
export type BuiltinMelodyId = (typeof BUILTIN_MELODY_IDS)[number];

const Q = PPQ;
const NAMES: Record<string, number> = { G3: 55, A3: 57, B3: 59, C4: 60, D4: 62, E4: 64, F4: 65, G4: 67, A4: 69, B4: 71, C5: 72 };

/** "E4:1 D4:0.5" → notes one after another; the number is the length in quarter notes. */
function line(text: string): MelodyNote[] {
  const out: MelodyNote[] = [];
  let t = 0;
  for (const tok of text.trim().split(/\s+/)) {
    const [name, beats] = tok.split(':') as [string, string];
    const pitch = NAMES[name];
    if (pitch === undefined) throw new Error(`unknown note name ${name}`);
    const duration = Math.round(Number(beats) * Q);
    out.push({ pitch, start: t, duration });
    t += duration;
  }
  return out;
}

export const BUILTIN_MELODIES: Record<BuiltinMelodyId, BuiltinMelody> = {
  'ode-to-joy': {
    id: 'ode-to-joy',
    title: 'Ode to Joy',
    credit: 'Beethoven, Symphony No. 9 (1824); public domain',
    timeSignature: [4, 4],
    bpm: 100,
    notes: line(`
      E4:1 E4:1 F4:1 G4:1  G4:1 F4:1 E4:1 D4:1  C4:1 C4:1 D4:1 E4:1  E4:1.5 D4:0.5 D4:2
      E4:1 E4:1 F4:1 G4:1  G4:1 F4:1 E4:1 D4:1  C4:1 C4:1 D4:1 E4:1  D4:1.5 C4:0.5 C4:2`),
  },
  twinkle: {
    id: 'twinkle',
    title: 'Twinkle, Twinkle, Little Star',
    credit: 'French folk tune "Ah ! vous dirai-je, maman" (1761); public domain',
    timeSignature: [4, 4],
    bpm: 96,
    notes: line(`
      C4:1 C4:1 G4:1 G4:1  A4:1 A4:1 G4:2  F4:1 F4:1 E4:1 E4:1  D4:1 D4:1 C4:2`),
  },
  'frere-jacques': {
    id: 'frere-jacques',
    title: 'Frère Jacques',
    credit: 'French folk round (18th century); public domain',
    timeSignature: [4, 4],
    bpm: 104,
    notes: line(`
      C4:1 D4:1 E4:1 C4:1  C4:1 D4:1 E4:1 C4:1  E4:1 F4:1 G4:2  E4:1 F4:1 G4:2
      G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1  G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1  C4:1 G3:1 C4:2  C4:1 G3:1 C4:2`),
  },
};

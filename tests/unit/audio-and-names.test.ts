// Pure pieces behind the piano samples, WAV export and note naming.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIANO_LAYERS, PIANO_NOTES, notePitch, pianoLayerFor, pianoSampleFiles, sampleUrl } from '@/lib/audio/piano-samples';
import { decodeWav, encodeWav, rms } from '@/lib/audio/wav';
import { parseMidiMessage, pitchName, takeToNotes, usesFlats } from '@/lib/editing';
import { MAX_PRESENCE_KEYS, presenceStateSchema } from '@/lib/presence/state';

const require = createRequire(import.meta.url);

describe('piano sample set', () => {
  it('picks the velocity layer by note velocity, covering 1..127 in order', () => {
    expect(pianoLayerFor(1).layer).toBe(4);
    expect(pianoLayerFor(52).layer).toBe(4);
    expect(pianoLayerFor(53).layer).toBe(10);
    expect(pianoLayerFor(100).layer).toBe(10);
    expect(pianoLayerFor(101).layer).toBe(16);
    expect(pianoLayerFor(127).layer).toBe(16);
    expect(PIANO_LAYERS.at(-1)!.maxVelocity).toBe(127);
  });

  it('samples the whole keyboard with no note more than 3 semitones from a sample', () => {
    const pitches = PIANO_NOTES.map(notePitch).sort((a, b) => a - b);
    expect(pitches[0]).toBe(21);
    expect(pitches.at(-1)).toBe(108);
    for (let p = 21; p <= 108; p++) expect(Math.min(...pitches.map((s) => Math.abs(s - p)))).toBeLessThanOrEqual(3);
    expect(notePitch('C4')).toBe(60);
    expect(notePitch('F#4')).toBe(66);
    expect(sampleUrl('F#4', 10)).toBe('/samples/piano/v10/Fs4.mp3');
  });

  it('every listed file exists in its registry package', () => {
    for (const f of pianoSampleFiles()) {
      const dir = path.dirname(require.resolve(`${f.pkg}/package.json`));
      expect(fs.existsSync(path.join(dir, 'audio', f.from)), f.from).toBe(true);
    }
  });
});

describe('WAV encoding', () => {
  it('round-trips stereo audio as a RIFF/WAVE file of the right length and rate', () => {
    const rate = 22050;
    const l = Float32Array.from({ length: rate }, (_, i) => (i < rate / 2 ? 0 : 0.5 * Math.sin(i / 10)));
    const r = Float32Array.from(l, (x) => -x);
    const bytes = encodeWav([l, r], rate);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RIFF');
    expect(String.fromCharCode(...bytes.subarray(8, 12))).toBe('WAVE');
    expect(bytes.length).toBe(44 + rate * 2 * 2);
    const wav = decodeWav(bytes);
    expect(wav.sampleRate).toBe(rate);
    expect(wav.channels).toHaveLength(2);
    expect(wav.duration).toBeCloseTo(1, 6);
    expect(rms(wav, 0, 0.5)).toBe(0);
    expect(rms(wav, 0.5, 1)).toBeGreaterThan(0.3);
    for (let i = 0; i < rate; i += 997) expect(wav.channels[1]![i]).toBeCloseTo(r[i]!, 3);
  });

  it('clips out-of-range samples and rejects what is not a WAV', () => {
    const wav = decodeWav(encodeWav([Float32Array.of(2, -2, 0)], 8000));
    expect([...wav.channels[0]!].map((x) => Math.round(x * 100) / 100)).toEqual([1, -1, 0]);
    expect(() => decodeWav(new TextEncoder().encode('MThd not a wav'))).toThrow(/RIFF/);
  });
});

describe('note names follow the key', () => {
  it('uses flats in flat keys and sharps otherwise', () => {
    expect(pitchName(70, 'Eb major')).toBe('B♭4');
    expect(pitchName(70, 'C major')).toBe('A♯4');
    expect(pitchName(63, 'C minor')).toBe('E♭4');
    expect(pitchName(66, 'D major')).toBe('F♯4');
    expect(pitchName(61, 'F major')).toBe('D♭4');
    expect(pitchName(60)).toBe('C4');
    expect(pitchName(21, 'Bb major')).toBe('A0');
    expect(usesFlats('A minor')).toBe(false);
    expect(usesFlats('D minor')).toBe(true);
    expect(usesFlats('F# minor')).toBe(false);
    expect(usesFlats('nonsense')).toBe(false);
  });
});

describe('MIDI recording', () => {
  it('parses note on/off and treats a zero-velocity note-on as off', () => {
    expect(parseMidiMessage([0x91, 60, 100])).toEqual({ type: 'on', pitch: 60, velocity: 100, channel: 1 });
    expect(parseMidiMessage([0x80, 60, 40])).toEqual({ type: 'off', pitch: 60, velocity: 40, channel: 0 });
    expect(parseMidiMessage([0x90, 62, 0])).toMatchObject({ type: 'off', pitch: 62 });
    expect(parseMidiMessage([0xb0, 64, 127])).toBeNull();
    expect(parseMidiMessage([0xf8])).toBeNull();
  });

  it('quantises a take to the grid, keeps velocity, and leaves it raw with the grid off', () => {
    const take = [
      { pitch: 64, velocity: 90, on: 1930, off: 2170 },
      { pitch: 60, velocity: 33, on: 1905, off: 1930 },
      { pitch: 67, velocity: 127, on: 1700, off: 2000 },
    ];
    expect(takeToNotes(take, 120, 1920)).toEqual([
      { pitch: 60, velocity: 33, start: 1920, duration: 120 },
      { pitch: 64, velocity: 90, start: 1920, duration: 240 },
      { pitch: 67, velocity: 127, start: 1920, duration: 120 },
    ]);
    expect(takeToNotes([take[0]!], 0)).toEqual([{ pitch: 64, velocity: 90, start: 1930, duration: 240 }]);
  });
});

describe('held MIDI keys in presence', () => {
  it('the presence schema carries up to MAX_PRESENCE_KEYS held pitches and refuses anything else', () => {
    expect(presenceStateSchema.safeParse({ keys: [60, 64, 67] }).success).toBe(true);
    expect(presenceStateSchema.safeParse({ keys: [128] }).success).toBe(false);
    expect(presenceStateSchema.safeParse({ keys: [60.5] }).success).toBe(false);
    expect(presenceStateSchema.safeParse({ keys: Array.from({ length: MAX_PRESENCE_KEYS + 1 }, (_, i) => i) }).success).toBe(false);
  });
});

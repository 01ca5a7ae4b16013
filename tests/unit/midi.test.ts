// MIDI ⇄ Score on committed fixtures (tests/fixtures/make-midi-fixtures.ts regenerates them):
// multi-track and format-0 import, PPQ rescaling, header meta, a full round trip, and broken files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MidiImportError, midiToScore, scoreToMidi } from '@/lib/midi';
import { addNotes, addTrack, initScore, readScore, setMeta, type Score } from '@/lib/score';

const dir = path.resolve(import.meta.dirname, '../fixtures/midi');
const load = (name: string) => new Uint8Array(readFileSync(path.join(dir, name)));
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8'));

/** Notes keyed by track name so two scores with different ids can be compared. */
function comparable(score: Score) {
  const names = new Map(score.tracks.map((t) => [t.id, t.name]));
  return score.notes
    .map((n) => `${names.get(n.trackId)}|${n.pitch}|${n.start}|${n.duration}|${n.velocity}`)
    .sort();
}

describe('midiToScore', () => {
  it('imports a multi-track file with tempo, time signature, key and instruments', () => {
    const s = midiToScore(load('multitrack.mid'));
    const e = expected['multitrack.mid'];
    expect(s.tracks).toHaveLength(e.tracks);
    expect(s.notes).toHaveLength(e.notes);
    expect(s.meta.bpm).toBe(e.bpm);
    expect(s.meta.timeSignature).toEqual(e.timeSignature);
    expect(s.meta.key).toBe(e.key);
    expect(s.meta.title).toBe('Fixture multitrack');
    expect(s.tracks.map((t) => t.instrument)).toEqual(e.instruments);
    expect(s.tracks.map((t) => t.name)).toEqual(['Melody', 'Bass', 'Drums']);
    const melody = s.notes.filter((n) => n.trackId === s.tracks[0]!.id);
    expect(melody[1]).toMatchObject({ pitch: 69, start: 240, duration: 240, velocity: Math.floor(0.8 * 127) }) // the encoder floors;
    expect(new Set(s.notes.map((n) => n.id)).size).toBe(s.notes.length);
    expect(s.meta.lengthBars).toBe(4);
  });

  it('splits a format-0 file by channel and rescales its 96 PPQ to 480', () => {
    const s = midiToScore(load('format0.mid'));
    const e = expected['format0.mid'];
    expect(s.tracks).toHaveLength(e.tracks);
    expect(s.notes).toHaveLength(e.notes);
    expect(s.meta.bpm).toBe(e.bpm);
    expect(s.meta.timeSignature).toEqual([3, 4]);
    const strings = s.tracks.find((t) => t.instrument === 'strings');
    expect(strings).toBeDefined();
    const melody = s.notes.filter((n) => n.trackId !== strings!.id);
    expect(melody.slice(0, 3).map((n) => n.start)).toEqual([0, 480, 960]);
    expect(melody[2]!.duration).toBe(240);
    expect(s.meta.lengthBars).toBe(8);
  });

  it('imports a long file of 10,000 notes', () => {
    const s = midiToScore(load('long.mid'));
    expect(s.notes).toHaveLength(10_000);
    expect(s.notes.at(-1)!.start).toBe(9_999 * 120);
    expect(s.meta.bpm).toBe(140);
  });

  it.each([
    ['not-midi.mid', /not a MIDI file/],
    ['truncated.mid', /damaged/],
  ])('rejects %s with a clear MidiImportError', (name, message) => {
    expect(() => midiToScore(load(name))).toThrow(MidiImportError);
    expect(() => midiToScore(load(name))).toThrow(message);
  });

  it('rejects empty and tiny inputs', () => {
    expect(() => midiToScore(new Uint8Array())).toThrow(MidiImportError);
    expect(() => midiToScore(new Uint8Array([0x4d, 0x54, 0x68, 0x64]))).toThrow(/too short/);
  });
});

describe('scoreToMidi', () => {
  it('round-trips a document built with the score commands', () => {
    const doc = new Y.Doc();
    initScore(doc);
    setMeta(doc, { bpm: 87, timeSignature: [6, 8], key: 'D minor', title: 'Round trip' });
    const lead = addTrack(doc, { name: 'Lead', instrument: 'lead' });
    const pad = addTrack(doc, { name: 'Pad', instrument: 'pad' });
    const kit = addTrack(doc, { name: 'Kit', instrument: 'drums' });
    addNotes(doc, [
      { trackId: lead.id, pitch: 72, start: 0, duration: 120, velocity: 100 },
      { trackId: lead.id, pitch: 74, start: 120, duration: 360, velocity: 64 },
      { trackId: lead.id, pitch: 127, start: 5000, duration: 1, velocity: 1 },
      { trackId: pad.id, pitch: 0, start: 0, duration: 1920, velocity: 127 },
      { trackId: pad.id, pitch: 60, start: 0, duration: 1920, velocity: 50 },
      { trackId: kit.id, pitch: 36, start: 0, duration: 60, velocity: 110 },
    ]);
    const before = readScore(doc);
    const after = midiToScore(scoreToMidi(before));
    expect(comparable(after)).toEqual(comparable(before));
    expect(after.meta).toMatchObject({ bpm: 87, timeSignature: [6, 8], key: 'D minor', title: 'Round trip' });
    expect(after.tracks.map((t) => [t.name, t.instrument])).toEqual([
      ['Lead', 'lead'],
      ['Pad', 'pad'],
      ['Kit', 'drums'],
    ]);
  });

  it('round-trips the fixtures (import → export → import is stable)', () => {
    for (const name of ['multitrack.mid', 'format0.mid', 'long.mid']) {
      const once = midiToScore(load(name));
      const twice = midiToScore(scoreToMidi(once));
      expect(comparable(twice)).toEqual(comparable(once));
      expect(twice.meta.bpm).toBe(once.meta.bpm);
      expect(twice.meta.timeSignature).toEqual(once.meta.timeSignature);
    }
  });
});

// The shared `npm run generate` CLI with the AR-CNN: its pure helpers (source-track choice, knob
// parsing, applying a result) and one real run on a MIDI file written to a temp dir, read back
// with lib/midi. Needs the committed AR-CNN weights.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { midiToScore, scoreToMidi } from '../../lib/midi';
import { DEFAULT_META, PPQ, defaultTrack, newNoteId, newTrackId, type Score, type Track } from '../../lib/score';
import { CliError, applyResult, buildRequest, knobsFromFlags, pickSourceTrack } from '../cli/generate';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function score(): Score {
  const piano: Track = { ...defaultTrack(0, { name: 'Piano', role: 'accompaniment' }), id: newTrackId() };
  const melody: Track = { ...defaultTrack(1, { name: 'Tune', role: 'melody' }), id: newTrackId() };
  const pitches = [72, 74, 76, 77, 79, 77, 76, 74];
  return {
    meta: { ...DEFAULT_META, lengthBars: 2 },
    tracks: [piano, melody],
    notes: [
      ...pitches.map((p, i) => ({ id: newNoteId(), trackId: melody.id, pitch: p, start: i * PPQ, duration: PPQ, velocity: 90 })),
      { id: newNoteId(), trackId: piano.id, pitch: 48, start: 0, duration: 8 * PPQ, velocity: 70 },
    ],
  };
}

describe('generate CLI helpers', () => {
  it('picks the first melody-role track, or the index given, and rejects a bad index', () => {
    const s = score();
    expect(pickSourceTrack(s).name).toBe('Tune');
    expect(pickSourceTrack(s, 0).name).toBe('Piano');
    expect(() => pickSourceTrack(s, 5)).toThrow(CliError);
  });

  it('passes unknown flags to the model as typed, camel-cased knobs', () => {
    expect(knobsFromFlags({ input: 'a.mid', iterations: '50', temperature: '1.5', 'keep-melody-fixed': 'false', 'max-notes-added': '10', style: 'x', seed: '3' })).toEqual({
      iterations: 50,
      temperature: 1.5,
      keepMelodyFixed: false,
      maxNotesAdded: 10,
      style: 'x',
    });
  });

  it('builds requests and applies results (new tracks by ref, removals, length grows)', () => {
    const s = score();
    const req = buildRequest(s, { task: 'rewrite', bars: '1' });
    expect(req.targetTrackIds).toEqual([s.tracks[0]!.id]);
    expect(req.bars).toEqual([0, 1]);
    expect(() => buildRequest(s, { task: 'dance' })).toThrow(CliError);
    const out = applyResult(s, {
      newTracks: [{ ref: 'r', name: 'Bass', instrument: 'bass', role: 'accompaniment' }],
      add: [{ trackId: 'r' as never, pitch: 40, start: 16 * PPQ, duration: PPQ, velocity: 80 }],
      remove: [s.notes.at(-1)!.id],
    });
    expect(out.tracks).toHaveLength(3);
    const bass = out.tracks.find((t) => t.name === 'Bass')!;
    expect(out.notes.filter((n) => n.trackId === bass.id)).toHaveLength(1);
    expect(out.notes).toHaveLength(s.notes.length);
    expect(out.meta.lengthBars).toBe(5);
  });
});

describe('npm run generate -- arcnn', () => {
  it('harmonises a MIDI file into a MIDI file with the input track and three new voices', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-arcnn-cli-'));
    try {
      const input = path.join(dir, 'in.mid');
      const output = path.join(dir, 'out.mid');
      fs.writeFileSync(input, scoreToMidi(score()));
      const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
      const { stdout } = await promisify(execFile)(tsx, ['models/cli/generate.ts', 'arcnn', '--input', input, '--output', output, '--task', 'harmonize', '--seed', '4', '--iterations', '40'], { cwd: ROOT });
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(summary.new_tracks).toBe(3);
      expect(summary.notes_added).toBeGreaterThan(0);
      const back = midiToScore(new Uint8Array(fs.readFileSync(output)));
      expect(back.tracks.length).toBe(5);
      const tune = back.tracks.find((t) => t.name === 'Tune')!;
      expect(back.notes.filter((n) => n.trackId === tune.id).map((n) => n.pitch)).toEqual([72, 74, 76, 77, 79, 77, 76, 74]);
      // Everything generated lies in the 2 bars of the melody.
      for (const n of back.notes) expect(n.start + n.duration).toBeLessThanOrEqual(8 * PPQ);
      // Bad knobs: a clear message and exit code 1, no output written.
      const bad = path.join(dir, 'bad.mid');
      const err = await promisify(execFile)(tsx, ['models/cli/generate.ts', 'arcnn', '--input', input, '--output', bad, '--temperature', 'hot'], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
      expect((err as { code: number }).code).toBe(1);
      expect((err as { stderr: string }).stderr).toMatch(/temperature/);
      expect(fs.existsSync(bad)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

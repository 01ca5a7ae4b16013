// The GAN generator with the committed weights: it loads, accompanies a short melody with notes in
// every new track (Alto, Tenor, Bass) inside the requested bars and a sane range, replays a seed
// exactly and varies with it, leaks no tensors, honours cancellation, and rejects bad requests
// with typed errors. Fails with a clear message when the committed weights are missing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_META, PPQ, defaultTrack, newNoteId, newTrackId, type Note, type Score, type Track } from '../../lib/score';
import { GenerationAbortedError, GeneratorParamError, type GenerateRequest, type Generator } from '../generator';
import { tf } from '../runtime/index';
import { createGenerator } from './index';
import { WEIGHTS_DIR } from './weights';

const BAR = PPQ * 4;
let gen: Generator;

function track(i: number, role: 'melody' | 'accompaniment', name: string): Track {
  return { ...defaultTrack(i, { role, name }), id: newTrackId() };
}

// "Ode to Joy": 4 bars of quarters ending on a half note, around E5, repeated to 8 bars.
const PHRASE = [76, 76, 77, 79, 79, 77, 76, 74, 72, 72, 74, 76, 76, 74, 74];
function melodyScore(octave = 0): { score: Score; melody: Track } {
  const melody = track(0, 'melody', 'Melody');
  const notes: Note[] = [];
  for (const offset of [0, 4 * BAR])
    PHRASE.forEach((p, i) => notes.push({ id: newNoteId(), trackId: melody.id, pitch: p + 12 * octave, start: offset + i * PPQ, duration: i === PHRASE.length - 1 ? 2 * PPQ : PPQ, velocity: 90 }));
  return { score: { meta: { ...DEFAULT_META, lengthBars: 8 }, tracks: [melody], notes }, melody };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(WEIGHTS_DIR, 'generator.json'))) throw new Error(`committed GAN weights missing in ${WEIGHTS_DIR}: run \`npm run train -- gan --publish\` (or restore models/weights/gan from git)`);
  gen = createGenerator();
  await gen.initialize();
});
afterAll(() => gen?.dispose());

describe('GAN generator (committed weights)', () => {
  it('accompanies a melody with notes in all three new tracks, in range and inside the bars', async () => {
    const { score, melody } = melodyScore();
    const res = await gen.generate(score, { task: 'accompany', sourceTrackIds: [melody.id], bars: [0, 4], seed: 1 });
    expect(res.remove).toEqual([]);
    expect(res.newTracks.map((t) => t.name)).toEqual(['Alto', 'Tenor', 'Bass']);
    expect(res.newTracks.every((t) => t.role === 'accompaniment')).toBe(true);
    for (const t of res.newTracks) {
      const notes = res.add.filter((n) => n.trackId === t.ref);
      expect(notes.length, `${t.name} has notes`).toBeGreaterThan(0);
      for (const n of notes) {
        expect(n.pitch).toBeGreaterThanOrEqual(36);
        expect(n.pitch).toBeLessThanOrEqual(81);
        expect(n.start).toBeGreaterThanOrEqual(0);
        expect(n.start + n.duration).toBeLessThanOrEqual(4 * BAR);
      }
      // Monophonic voices: no two notes of one track overlap.
      const sorted = notes.sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.start + sorted[i - 1]!.duration);
    }
    // The accompaniment sits below the melody on average (alto/tenor/bass of a soprano line).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const bass = res.add.filter((n) => n.trackId === res.newTracks[2]!.ref).map((n) => n.pitch);
    expect(mean(bass)).toBeLessThan(mean(PHRASE) - 12);
  });

  it('respects a bar range in the middle of the melody', async () => {
    const { score, melody } = melodyScore();
    const res = await gen.generate(score, { task: 'accompany', sourceTrackIds: [melody.id], bars: [3, 6], seed: 2 });
    expect(res.add.length).toBeGreaterThan(0);
    for (const n of res.add) {
      expect(n.start).toBeGreaterThanOrEqual(3 * BAR);
      expect(n.start + n.duration).toBeLessThanOrEqual(6 * BAR);
    }
  });

  it('same seed → same notes; another seed → different notes; no tensors leak', async () => {
    const { score, melody } = melodyScore();
    const req: GenerateRequest = { task: 'accompany', sourceTrackIds: [melody.id], seed: 7 };
    await gen.generate(score, req);
    const before = tf.memory().numTensors;
    const a = await gen.generate(score, req);
    const b = await gen.generate(score, req);
    const c = await gen.generate(score, { ...req, seed: 8 });
    expect(tf.memory().numTensors).toBe(before);
    expect(b.add).toEqual(a.add);
    expect(c.add).not.toEqual(a.add);
  });

  it('keeps the accompaniment below a melody written two octaves low (model runs an octave up)', async () => {
    const { score, melody } = melodyScore(-2);
    const res = await gen.generate(score, { task: 'accompany', sourceTrackIds: [melody.id], bars: [0, 4], seed: 1 });
    expect(res.stats?.octave_shift).toBe(-12);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(res.add.map((n) => n.pitch))).toBeLessThan(mean(PHRASE) - 24);
    expect(Math.min(...res.add.map((n) => n.pitch))).toBeGreaterThanOrEqual(36 - 12);
  });

  it('rejects bad requests with GeneratorParamError and honours an aborted signal', async () => {
    const { score, melody } = melodyScore();
    const ok: GenerateRequest = { task: 'accompany', sourceTrackIds: [melody.id] };
    const bad: GenerateRequest[] = [
      { ...ok, task: 'rewrite' },
      { ...ok, params: { temperature: -1 } },
      { ...ok, params: { bogus: 1 } },
      { ...ok, params: { instrumentation: 'kazoo' } },
      { ...ok, sourceTrackIds: [] },
      { ...ok, sourceTrackIds: ['nope' as never] },
      { ...ok, bars: [4, 2] },
      { ...ok, bars: [20, 24] },
      { ...ok, seed: Number.NaN },
    ];
    for (const r of bad) await expect(gen.generate(score, r), JSON.stringify(r)).rejects.toBeInstanceOf(GeneratorParamError);
    const ac = new AbortController();
    ac.abort();
    await expect(gen.generate(score, ok, { signal: ac.signal })).rejects.toBeInstanceOf(GenerationAbortedError);
  });

  it('dispose releases every tensor it loaded', async () => {
    const before = tf.memory().numTensors;
    const g = createGenerator();
    await g.initialize();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The AR-CNN generator with the committed weights: it loads, harmonises a short melody into
// in-range, in-region, monophonic new voices, edits only inside the requested region and target
// tracks, replays a seed exactly, leaks no tensors, and rejects bad requests with typed errors.
// Fails with a clear message when the committed weights are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_META, PPQ, defaultTrack, newNoteId, newTrackId, type Note, type Score, type Track } from '../../lib/score';
import { GeneratorParamError, type GenerateRequest, type Generator } from '../generator';
import { tf } from '../runtime/index';
import { createGenerator } from './index';
import { WEIGHTS_DIR, weightsExist } from './weights';

const BAR = PPQ * 4;
let gen: Generator;

function track(i: number, role: 'melody' | 'accompaniment', name: string): Track {
  return { ...defaultTrack(i, { role, name }), id: newTrackId() };
}
function note(t: Track, pitch: number, start: number, duration: number): Note {
  return { id: newNoteId(), trackId: t.id, pitch, start, duration, velocity: 90 };
}

// "Ode to Joy", 4 bars of quarters and a half note, around E5.
const MELODY = [76, 76, 77, 79, 79, 77, 76, 74, 72, 72, 74, 76, 76, 74, 74];
function melodyScore(): { score: Score; melody: Track } {
  const melody = track(0, 'melody', 'Melody');
  const notes = MELODY.map((p, i) => note(melody, p, i * PPQ, i === MELODY.length - 1 ? 2 * PPQ : PPQ));
  return { score: { meta: { ...DEFAULT_META, lengthBars: 4 }, tracks: [melody], notes }, melody };
}

beforeAll(async () => {
  if (!weightsExist()) throw new Error(`committed AR-CNN weights missing in ${WEIGHTS_DIR}: run \`npm run train -- arcnn\` (or restore models/weights/arcnn from git)`);
  gen = createGenerator();
  await gen.initialize();
});
afterAll(() => gen?.dispose());

describe('AR-CNN generator (committed weights)', () => {
  it('harmonises a short melody into three in-range, in-region, monophonic voices', async () => {
    const { score, melody } = melodyScore();
    const res = await gen.generate(score, { task: 'harmonize', sourceTrackIds: [melody.id], bars: [0, 4], seed: 1 });
    expect(res.remove).toEqual([]);
    expect(res.newTracks.map((t) => t.name)).toEqual(['Alto', 'Tenor', 'Bass']);
    const refs = new Set(res.newTracks.map((t) => t.ref));
    // Every voice is written under the whole melody (16 beats), not a few stray notes.
    for (const ref of refs) {
      const ns = res.add.filter((n) => n.trackId === ref);
      expect(ns.length, ref).toBeGreaterThanOrEqual(3);
      expect(ns.reduce((s, n) => s + n.duration, 0), ref).toBeGreaterThanOrEqual(0.9 * 16 * PPQ);
    }
    for (const n of res.add) {
      expect(refs.has(n.trackId)).toBe(true);
      expect(n.pitch).toBeGreaterThanOrEqual(36);
      expect(n.pitch).toBeLessThanOrEqual(81);
      expect(n.start).toBeGreaterThanOrEqual(0);
      expect(n.start + n.duration).toBeLessThanOrEqual(4 * BAR);
      expect(n.start % 120).toBe(0);
    }
    for (const ref of refs) {
      const ns = res.add.filter((n) => n.trackId === ref).sort((a, b) => a.start - b.start);
      for (let i = 1; i < ns.length; i++) expect(ns[i]!.start).toBeGreaterThanOrEqual(ns[i - 1]!.start + ns[i - 1]!.duration);
    }
    // Below the melody on average: it learnt voice ranges, not just "somewhere in the window".
    const mean = (ref: string) => {
      const ps = res.add.filter((n) => n.trackId === ref).map((n) => n.pitch);
      return ps.reduce((a, b) => a + b, 0) / ps.length;
    };
    expect(mean('arcnn-bass')).toBeLessThan(mean('arcnn-alto'));
    expect(mean('arcnn-alto')).toBeLessThan(75);
  });

  it('writes only inside the requested bars and replays a seed exactly', async () => {
    const { score, melody } = melodyScore();
    const req: GenerateRequest = { task: 'harmonize', sourceTrackIds: [melody.id], bars: [1, 3], seed: 7, params: { iterations: 40 } };
    const a = await gen.generate(score, req);
    const b = await gen.generate(score, req);
    expect(a.add).toEqual(b.add);
    for (const n of a.add) {
      expect(n.start).toBeGreaterThanOrEqual(BAR);
      expect(n.start + n.duration).toBeLessThanOrEqual(3 * BAR);
    }
    const c = await gen.generate(score, { ...req, seed: 8 });
    expect(c.add).not.toEqual(a.add);
  });

  it('rewrites only target tracks inside the region and never the fixed melody', async () => {
    const { score, melody } = melodyScore();
    const bass = track(1, 'accompaniment', 'Bass');
    const bassNotes = [48, 43, 45, 40, 41, 36, 43, 48].map((p, i) => note(bass, p, i * 2 * PPQ, 2 * PPQ));
    const s: Score = { ...score, tracks: [melody, bass], notes: [...score.notes, ...bassNotes] };
    const res = await gen.generate(s, { task: 'rewrite', sourceTrackIds: [melody.id], targetTrackIds: [bass.id], bars: [1, 3], seed: 3, params: { temperature: 1.5, maxRemoveShare: 1 } });
    const byId = new Map(s.notes.map((n) => [n.id as string, n]));
    for (const id of res.remove) {
      const n = byId.get(id)!;
      expect(n.trackId).toBe(bass.id);
      expect(n.start).toBeGreaterThanOrEqual(BAR);
      expect(n.start).toBeLessThan(3 * BAR);
    }
    for (const n of res.add) {
      expect(n.trackId).toBe(bass.id);
      expect(n.start).toBeGreaterThanOrEqual(BAR);
      expect(n.start + n.duration).toBeLessThanOrEqual(3 * BAR);
    }
    expect(res.add.length + res.remove.length).toBeGreaterThan(0);
    expect(res.newTracks).toEqual([]);
  });

  it('leaks no tensors and reports progress', async () => {
    const { score, melody } = melodyScore();
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    await gen.generate(score, { task: 'accompany', sourceTrackIds: [melody.id], seed: 2, params: { iterations: 10 } }, { onProgress: (f) => seen.push(f) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.at(-1)).toBe(1);
  });

  it('rejects bad requests with GeneratorParamError', async () => {
    const { score, melody } = melodyScore();
    const base: GenerateRequest = { task: 'harmonize', sourceTrackIds: [melody.id] };
    const bad: GenerateRequest[] = [
      { ...base, params: { iterations: 0 } },
      { ...base, params: { temperature: 'hot' } },
      { ...base, params: { maxRemoveShare: 1.5 } },
      { ...base, params: { creativity: 1 } },
      { ...base, task: 'continue' },
      { ...base, sourceTrackIds: ['nope' as never] },
      { ...base, bars: [3, 1] },
      { task: 'rewrite', sourceTrackIds: [melody.id] },
    ];
    for (const req of bad) await expect(gen.generate(score, req), JSON.stringify(req)).rejects.toBeInstanceOf(GeneratorParamError);
  });
});

// The generator with the committed weights: harmonising keeps the melody exactly and writes three
// plausible lower voices, continuing extends after the material, results are deterministic per
// seed, tensors do not leak, bad requests get typed errors and an aborted request stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note, NoteId, Score, Track, TrackId } from '../../lib/score';
import { GenerationAbortedError, GeneratorParamError, type GenerateRequest } from '../generator';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { pitchToToken } from '../data/tokens';
import { decoderDir, TransformerGenerator } from './index';
import { decode } from './sampler';
import { WEIGHTS_DIR, loadWeights } from './weights';

const track = (id: string, name: string, order: number): Track => ({
  id: id as TrackId,
  name,
  instrument: 'piano',
  color: '#336699',
  role: order === 0 ? 'melody' : 'accompaniment',
  muted: false,
  solo: false,
  volume: 1,
  order,
});
const note = (id: string, trackId: string, pitch: number, startQ: number, durQ = 1): Note => ({
  id: id as NoteId,
  trackId: trackId as TrackId,
  pitch,
  start: startQ * 480,
  duration: durQ * 480,
  velocity: 90,
});

// "Ode to Joy", 4 bars of quarters in F major (a chorale soprano's register).
const ODE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62].map((p) => p + 5);
function melodyScore(): Score {
  return {
    meta: { title: 'ode', bpm: 90, timeSignature: [4, 4], key: 'C major', lengthBars: 4, schemaVersion: 1 },
    tracks: [track('mel', 'Melody', 0)],
    notes: ODE.map((p, i) => note(`m${i}`, 'mel', p, i)),
  };
}

const gen = new TransformerGenerator();
const req = (r: Partial<GenerateRequest>): GenerateRequest => ({ task: 'harmonize', sourceTrackIds: ['mel' as TrackId], seed: 1, ...r });

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  await gen.initialize(); // throws TransformerWeightsMissingError if the committed weights are absent
});
afterAll(() => gen.dispose());

describe('transformer generator (committed weights)', () => {
  it('harmonises a melody: soprano forced exactly, three lower voices on new tracks', async () => {
    const score = melodyScore();
    const res = await gen.generate(score, req({}));
    expect(res.newTracks.map((t) => t.ref)).toEqual(['alto', 'tenor', 'bass']);
    expect(res.remove).toEqual([]);
    expect(res.add.every((n) => ['alto', 'tenor', 'bass'].includes(n.trackId))).toBe(true);
    expect(res.add.every((n) => n.start >= 0 && n.start + n.duration <= 16 * 480)).toBe(true);
    // Per 16th step: the soprano (the melody) and what each voice sings.
    const at = (ref: string, step: number) => res.add.find((n) => n.trackId === ref && n.start <= step * 120 && step * 120 < n.start + n.duration)?.pitch;
    let underMelody = 0;
    let bassLowest = 0;
    let sounding = 0;
    for (let s = 0; s < 64; s++) {
      const sop = ODE[Math.floor(s / 4)]!;
      const [a, t, b] = [at('alto', s), at('tenor', s), at('bass', s)];
      if (a === undefined || t === undefined || b === undefined) continue;
      sounding++;
      if (Math.max(a, t, b) <= sop) underMelody++;
      if (b <= Math.min(a, t)) bassLowest++;
    }
    // A four-part texture under the tune with the bass at the bottom (an untrained net fails this).
    expect(sounding).toBeGreaterThan(48);
    expect(underMelody / sounding).toBeGreaterThan(0.8);
    expect(bassLowest / sounding).toBeGreaterThan(0.75);
  });

  it('follows the metre: the same quarter-note tune read in 6/8 moves the bass less on its weak 8ths than in 4/4 on beats', async () => {
    // Ode to Joy, 24 quarters; in 4/4 and 3/4 every note falls on a beat, in 6/8 two of every
    // three fall on a weak 8th. Bach's basses move on beats, so a metre-aware harmoniser changes
    // its bass far less often at the 6/8 weak 8ths (the decoder-only model had no metre: equal).
    const tune = [...ODE, ...ODE.slice(0, 8)];
    const bassMoves = async (ts: [number, number], weakOnly: boolean) => {
      let moves = 0;
      let n = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const score: Score = { ...melodyScore(), notes: tune.map((p, i) => note(`m${i}`, 'mel', p, i)) };
        score.meta = { ...score.meta, timeSignature: ts as Score['meta']['timeSignature'] };
        const res = await gen.generate(score, req({ seed }));
        const bass = res.add.filter((x) => x.trackId === 'bass');
        for (let q = 1; q < tune.length; q++) {
          const posInBar = (q * 4) % ((ts[0] * 16) / ts[1]);
          const weak = ts[1] === 8 && posInBar % 6 !== 0;
          if (weak !== weakOnly) continue;
          n++;
          if (bass.some((b) => b.start === q * 480)) moves++;
        }
      }
      return moves / n;
    };
    const onBeats44 = await bassMoves([4, 4], false);
    const weak68 = await bassMoves([6, 8], true);
    expect(onBeats44 - weak68).toBeGreaterThan(0.12);
  });

  it('the decoder-only model keeps every forced soprano token', async () => {
    const model = loadWeights(decoderDir(WEIGHTS_DIR));
    const plan = ODE.flatMap((p) => [pitchToToken(p), null, null, null]);
    const out = await decode(model, { tokens: plan, startsPiece: true }, { temperature: 1, topP: 1 }, createRng(3));
    expect(out.filter((_, i) => i % 4 === 0)).toEqual(plan.filter((_, i) => i % 4 === 0));
    expect(out.every((t) => t >= 0 && t <= 46)).toBe(true);
    for (const v of Object.values(model.params)) v.dispose();
  });

  it('is deterministic per seed and varies across seeds; no tensors leak', async () => {
    const score = melodyScore();
    const before = tf.memory().numTensors;
    const a = await gen.generate(score, req({ seed: 7 }));
    const b = await gen.generate(score, req({ seed: 7 }));
    const c = await gen.generate(score, req({ seed: 8 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(b.add).toEqual(a.add);
    expect(c.add).not.toEqual(a.add);
  });

  it('initialise + generate + dispose leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const g = new TransformerGenerator();
    await g.initialize();
    await g.initialize(); // cheap and idempotent
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    await g.generate(melodyScore(), req({ task: 'continue', params: { bars: 1 } }));
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues a melody after its last bar, into the melody track', async () => {
    const score = melodyScore();
    const res = await gen.generate(score, req({ task: 'continue', params: { bars: 2, temperature: 0.8 } }));
    expect(res.newTracks).toEqual([]);
    expect(res.add.length).toBeGreaterThan(0);
    expect(res.add.every((n) => n.trackId === 'mel' && n.start >= 16 * 480 && n.start + n.duration <= 24 * 480)).toBe(true);
    // A continued melody stays in a singable soprano range around the input.
    expect(res.add.every((n) => n.pitch >= 55 && n.pitch <= 84)).toBe(true);
  });

  it('continues four voices, each into the nearest source track', async () => {
    const score = melodyScore();
    const chord = [
      [64, 60, 55, 48],
      [65, 60, 57, 53],
      [67, 62, 59, 43],
      [64, 60, 55, 48],
    ];
    score.tracks = ['s', 'a', 't', 'b'].map((id, i) => track(id, id, i));
    score.notes = chord.flatMap((c, q) => c.map((p, v) => note(`c${q}${v}`, ['s', 'a', 't', 'b'][v]!, p, q)));
    const res = await gen.generate(score, { task: 'continue', sourceTrackIds: ['s', 'a', 't', 'b'] as TrackId[], seed: 2, params: { bars: 1 } });
    const mean = (id: string) => {
      const ps = res.add.filter((n) => n.trackId === id).map((n) => n.pitch);
      return ps.reduce((x, y) => x + y, 0) / ps.length;
    };
    expect(res.add.every((n) => n.start >= 16 * 120)).toBe(true);
    expect(mean('s')).toBeGreaterThan(mean('b'));
    // allTracks: the CLI names one source track; the knob reads all four.
    const all = await gen.generate(score, { task: 'continue', sourceTrackIds: ['s'] as TrackId[], seed: 2, params: { bars: 1, allTracks: true } });
    expect(new Set(all.add.map((n) => n.trackId)).size).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad requests with GeneratorParamError', async () => {
    const score = melodyScore();
    const bad: Array<Partial<GenerateRequest>> = [
      { task: 'rewrite' },
      { params: { temperature: 0 } },
      { params: { topP: 1.5 } },
      { params: { creativity: 1 } },
      { params: { bars: 1000 }, task: 'continue' },
      { sourceTrackIds: ['nope' as TrackId] },
      { sourceTrackIds: [] },
      { bars: [3, 1] },
      { bars: [8, 10] }, // no melody there
      { targetTrackIds: ['mel' as TrackId] },
      { seed: Number.NaN },
    ];
    for (const r of bad) await expect(gen.generate(score, req(r)), JSON.stringify(r)).rejects.toBeInstanceOf(GeneratorParamError);
  });

  it('stops with GenerationAbortedError when the signal fires', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(gen.generate(melodyScore(), req({}), { signal: ctl.signal })).rejects.toBeInstanceOf(GenerationAbortedError);
  });

  it('reports progress up to 1', async () => {
    const seen: number[] = [];
    await gen.generate(melodyScore(), req({}), { onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true);
  });
});

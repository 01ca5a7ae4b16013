// The melody-encoder harmoniser's sampling and planning: metrical levels per time signature, the
// melody span and register, nucleus truncation, strict voice leading (no parallel fifths/octaves
// with the constraint on, while the same model writes them with it off), determinism per seed,
// and the generator writing A/T/B in place under pickup, 3/4 and 6/8 melodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note, NoteId, Score, TimeSignature, Track, TrackId } from '../../lib/score';
import { REST } from '../data/jsb';
import { countParallels } from '../decoding/voice-leading';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { TransformerGenerator } from './model';
import { MELODY_TINY_CONFIG } from './mel-config';
import { melodyPiece } from './mel-encoding';
import { initMelodyParams } from './mel-network';
import { melodyPlan } from './mel-plan';
import { drawIndex, sampleHarmony, truncatedProbs } from './mel-sampler';
import type { MelodyModel } from './mel-weights';
import { JSB_METRE, jsbFirstPos, LEVEL_BAR, LEVEL_BEAT, LEVEL_EIGHTH, LEVEL_SIXTEENTH, metreOf, metricalLevels } from './meter';

let model: MelodyModel;
beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  const cfg = { ...MELODY_TINY_CONFIG };
  const params = initMelodyParams(cfg, createRng(7));
  // Untrained but opinionated: large random weights give peaked, varied distributions.
  for (const [k, v] of Object.entries(params)) if (!k.endsWith('_g')) v.assign(tf.mul(v, 40));
  model = { params, cfg };
});
afterAll(() => Object.values(model.params).forEach((v) => v.dispose()));

describe('metre', () => {
  it('gives bar, beat, 8th and 16th levels for 4/4, 3/4, 6/8, 2/2 and 3/8', () => {
    const B = LEVEL_BAR, b = LEVEL_BEAT, e = LEVEL_EIGHTH, s = LEVEL_SIXTEENTH;
    expect(Array.from(metricalLevels(16, 0, metreOf([4, 4])))).toEqual([B, s, e, s, b, s, e, s, b, s, e, s, b, s, e, s]);
    expect(Array.from(metricalLevels(12, 0, metreOf([3, 4])))).toEqual([B, s, e, s, b, s, e, s, b, s, e, s]);
    expect(Array.from(metricalLevels(12, 0, metreOf([6, 8])))).toEqual([B, s, e, s, e, s, b, s, e, s, e, s]);
    expect(metreOf([2, 2])).toEqual({ stepsPerBar: 16, stepsPerBeat: 8 });
    expect(metreOf([3, 8])).toEqual({ stepsPerBar: 6, stepsPerBeat: 2 });
    // A 6/8 piece starting on its last 8th (a pickup): the bar line comes 2 steps later.
    expect(Array.from(metricalLevels(4, 10, metreOf([6, 8])))).toEqual([e, s, B, s]);
  });

  it('places JSB bar lines so the piece ends on one (a one-beat pickup when length ≡ 4 mod 16)', () => {
    expect(jsbFirstPos(68)).toBe(12);
    expect(jsbFirstPos(64)).toBe(0);
    expect(metricalLevels(68, jsbFirstPos(68), JSB_METRE)[4]).toBe(LEVEL_BAR);
  });
});

describe('melody plan', () => {
  it('harmonises only the melody span, in the soprano register, with the score metre', () => {
    // 6/8: five rest 8ths, then a pickup 8th (D6 = 86, an octave above the chorale register), then a bar.
    const mel = [...new Array(10).fill(REST), 86, 86, 84, 84, 84, 84, 84, 84, 83, 83, 81, 81, 81, 81, REST, REST];
    const plan = melodyPlan(mel, 0, [6, 8]);
    expect(plan.first).toBe(10);
    expect(plan.last).toBe(24);
    expect(plan.shift).toBe(-12);
    expect(plan.piece.melody.length).toBe(14);
    expect(plan.piece.melody[0]).toBe(86 - 12 - 35); // token of D5
    // Step 4 of the bar is an 8th, the downbeat of bar 2 is 2 steps later, its 2nd beat 6 after that.
    expect(plan.piece.levels[0]).toBe(LEVEL_EIGHTH);
    expect(plan.piece.levels[2]).toBe(LEVEL_BAR);
    expect(plan.piece.levels[8]).toBe(LEVEL_BEAT);
    expect(() => melodyPlan([REST, REST], 0, [4, 4])).toThrow(/no notes/);
  });
});

describe('sampling', () => {
  it('top-p keeps the smallest most-likely set reaching p, renormalised; temperature sharpens', () => {
    const logits = new Float32Array(49);
    logits[3] = 3;
    logits[5] = 2;
    logits[7] = 1;
    const full = truncatedProbs(logits, 1, 1);
    expect(full.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const p = truncatedProbs(logits, 1, full[3]! + full[5]! - 1e-6);
    expect(p.filter((x) => x > 0).length).toBe(2);
    expect(p[3]! + p[5]!).toBeCloseTo(1, 6);
    expect(truncatedProbs(logits, 0.5, 1)[3]!).toBeGreaterThan(full[3]!);
    expect(full.length).toBe(47); // BOS and PAD are never candidates
    expect(drawIndex([0, 0, 1, 0], createRng(1))).toBe(2);
  });

  it('strict voice leading removes every parallel fifth/octave the same model writes without it (also under top-p)', async () => {
    const mel = Array.from({ length: 96 }, (_, t) => 60 + [0, 2, 4, 5, 7, 9, 7, 5][Math.floor(t / 2) % 8]! + 12);
    const piece = melodyPiece(
      mel.map((p) => p - 35),
      0,
      JSB_METRE,
    );
    let free = 0;
    for (const seed of [1, 2, 3]) {
      const strict = await sampleHarmony(model, piece, { temperature: 1.5, topP: 1, strictVoiceLeading: true }, createRng(seed));
      expect(countParallels([mel, ...strict])).toBe(0);
      const strictTop = await sampleHarmony(model, piece, { temperature: 1, topP: 0.6, strictVoiceLeading: true }, createRng(seed));
      expect(countParallels([mel, ...strictTop])).toBe(0);
      const loose = await sampleHarmony(model, piece, { temperature: 1.5, topP: 1, strictVoiceLeading: false }, createRng(seed));
      free += countParallels([mel, ...loose]);
    }
    expect(free).toBeGreaterThan(0);
  });

  it('is deterministic per seed', async () => {
    const piece = melodyPiece([40, 40, 42, 42, 44, 44, 45, 45], 0, JSB_METRE);
    const opts = { temperature: 1, topP: 0.95, strictVoiceLeading: true };
    const a = await sampleHarmony(model, piece, opts, createRng(5));
    const b = await sampleHarmony(model, piece, opts, createRng(5));
    expect(a).toEqual(b);
    expect(a.map((l) => l.length)).toEqual([8, 8, 8]);
  });
});

const track = (id: string, order: number): Track => ({ id: id as TrackId, name: id, instrument: 'piano', color: '#336699', role: order === 0 ? 'melody' : 'accompaniment', muted: false, solo: false, volume: 1, order });

/** A melody in `ts`: notes [pitch, start, duration] in 16th steps. */
function score(ts: TimeSignature, notes: Array<[number, number, number]>): Score {
  return {
    meta: { title: 't', bpm: 90, timeSignature: ts, key: 'C major', lengthBars: 4, schemaVersion: 1 },
    tracks: [track('mel', 0)],
    notes: notes.map(([pitch, s, d], i): Note => ({ id: `n${i}` as NoteId, trackId: 'mel' as TrackId, pitch, start: s * 120, duration: d * 120, velocity: 90 })),
  };
}

describe('generator with the melody-encoder model', () => {
  it('harmonises pickup, 3/4 and 6/8 melodies in place: voices start with the melody and end with it', async () => {
    const gen = new TransformerGenerator({ melodyModel: model });
    const cases: Array<[string, TimeSignature, Array<[number, number, number]>]> = [
      // 4/4 with a one-beat pickup at the end of bar 0.
      ['pickup 4/4', [4, 4], [[67, 12, 4], [72, 16, 8], [71, 24, 4], [72, 28, 4], [74, 32, 16]]],
      // 3/4 waltz-like line starting on beat 3 of bar 0.
      ['3/4', [3, 4], [[64, 8, 4], [67, 12, 8], [65, 20, 4], [64, 24, 12]]],
      // 6/8 with an 8th-note pickup, far above the chorale register (moved in and back by octaves).
      ['6/8', [6, 8], [[91, 10, 2], [96, 12, 6], [95, 18, 2], [93, 20, 4], [91, 24, 12]]],
    ];
    for (const [name, ts, notes] of cases) {
      const s = score(ts, notes);
      const res = await gen.generate(s, { task: 'harmonize', sourceTrackIds: ['mel' as TrackId], seed: 3 });
      const start = notes[0]![1] * 120;
      const end = (notes.at(-1)![1] + notes.at(-1)![2]) * 120;
      expect(res.add.length, name).toBeGreaterThan(0);
      expect(Math.min(...res.add.map((n) => n.start)), name).toBe(start);
      expect(Math.max(...res.add.map((n) => n.start + n.duration)), name).toBeLessThanOrEqual(end);
      expect(res.stats?.pickup_steps, name).toBe(notes[0]![1]);
      // The register shift is undone: the voices sit near the melody, not an octave off.
      const melMean = notes.reduce((a, n) => a + n[0], 0) / notes.length;
      const accMean = res.add.reduce((a, n) => a + n.pitch, 0) / res.add.length;
      expect(Math.abs(melMean - accMean), name).toBeLessThan(30);
      expect(res.add.every((n) => n.pitch >= 0 && n.pitch <= 127)).toBe(true);
    }
    gen.dispose();
  });
});

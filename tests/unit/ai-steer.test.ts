// Steering knobs (models/decoding/steer.ts, issue 13): each one's effect on the notes, proved on
// lines shaped like a model's output (voices on new-track refs under a melody).
import { describe, expect, it } from 'vitest';
import { DEFAULT_META, type NoteData, type Score, type TrackId } from '../../lib/score';
import { DEFAULT_STEER, VOICE_RANGE_PRESETS } from '../../lib/ai/contract';
import { applyDensity, chordalRhythm, foldVoiceRanges, generateSteered, noteOverlap, pickBySimilarity, SIMILARITY_DRAFTS, steerResult } from '../../models/decoding/steer';
import type { GenerateResult } from '../../models/generator';

const n = (trackId: string, pitch: number, start: number, duration: number): NoteData => ({ trackId: trackId as TrackId, pitch, start, duration, velocity: 80 });
const Q = 480;
const E = 240;
const S = 120;

// A melody in quarters and a half; alto moves in eighths, bass in sixteenths and a whole note.
const melody = [n('mel', 72, 0, Q), n('mel', 74, Q, Q), n('mel', 76, 2 * Q, 2 * Q)];
const alto = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => n('alto', 64 + (i % 3), i * E, E));
const bass = [n('bass', 48, 0, S), n('bass', 50, S, S), n('bass', 52, 2 * S, S), n('bass', 53, 3 * S, S), n('bass', 43, Q, 3 * Q)];
const generated = [...alto, ...bass];
const score: Score = { meta: DEFAULT_META, tracks: [], notes: melody.map((m, i) => ({ ...m, id: `m${i}` as never })) };
const result = (add: NoteData[]): GenerateResult => ({
  newTracks: [
    { ref: 'alto', name: 'Alto', instrument: 'choir', role: 'accompaniment' },
    { ref: 'bass', name: 'Bass', instrument: 'choir', role: 'accompaniment' },
  ],
  add,
  remove: [],
});
const soundingTime = (ns: readonly NoteData[], track: string) => ns.filter((x) => x.trackId === track).reduce((s, x) => s + x.duration, 0);
const onsets = (ns: readonly NoteData[], track: string) => ns.filter((x) => x.trackId === track).map((x) => x.start);

describe('steering knobs change the notes as promised', () => {
  it('rhythm chordal: every voice onset is a melody onset, each voice still sounds where it did', () => {
    const out = chordalRhythm(generated, melody.map((m) => m.start));
    const melodyOnsets = new Set(melody.map((m) => m.start));
    expect(out.every((x) => melodyOnsets.has(x.start))).toBe(true);
    expect(onsets(out, 'alto')).toEqual([0, Q, 2 * Q]);
    expect(onsets(out, 'bass')).toEqual([0, Q, 2 * Q]);
    // The pitch sounding at each melody onset is kept (bass: 48 at 0, the long 43 from beat 2).
    expect(out.filter((x) => x.trackId === 'bass').map((x) => x.pitch)).toEqual([48, 43, 43]);
    // Free rhythm (the default) leaves the independent lines alone.
    expect(steerResult(result(generated), score, { sourceTrackIds: ['mel' as TrackId] }, DEFAULT_STEER, 1920).add).toEqual(generated);
    expect(onsets(generated, 'alto').some((t) => !melodyOnsets.has(t))).toBe(true);
  });

  it('density: sparser has fewer notes, busier more, the same sounding time per voice; 0 changes nothing', () => {
    const sparse = applyDensity(generated, -1);
    const sparser = applyDensity(generated, -0.5);
    const busy = applyDensity(generated, 1);
    expect(applyDensity(generated, 0)).toEqual(generated);
    expect(sparse.length).toBeLessThan(sparser.length);
    expect(sparser.length).toBeLessThan(generated.length);
    expect(busy.length).toBeGreaterThan(generated.length);
    for (const out of [sparse, sparser, busy]) for (const v of ['alto', 'bass']) expect(soundingTime(out, v)).toBe(soundingTime(generated, v));
    // Sparser merges the shortest first: at −0.5 the bass's 16ths go before the alto's eighths.
    expect(sparser.filter((x) => x.trackId === 'bass').length).toBeLessThan(bass.length);
    // Busier splits on the 16th grid: every new onset is a multiple of a 16th.
    expect(busy.every((x) => x.start % S === 0 && x.duration >= S)).toBe(true);
  });

  it('voice ranges: every note of a known voice ends inside its preset range, by whole octaves', () => {
    const wild = [n('alto', 40, 0, Q), n('alto', 90, Q, Q), n('bass', 75, 0, Q), n('bass', 20, Q, Q), n('other', 100, 0, Q)];
    const voiceOf = (t: string) => (t === 'alto' ? ('alto' as const) : t === 'bass' ? ('bass' as const) : undefined);
    for (const preset of ['choir', 'narrow', 'wide'] as const) {
      const out = foldVoiceRanges(wild, voiceOf, preset);
      out.forEach((x, i) => {
        expect(Math.abs(x.pitch - wild[i]!.pitch) % 12).toBe(0);
        if (x.trackId === 'other') return expect(x.pitch).toBe(100);
        const [lo, hi] = VOICE_RANGE_PRESETS[preset][x.trackId as 'alto' | 'bass'];
        expect(x.pitch).toBeGreaterThanOrEqual(lo);
        expect(x.pitch).toBeLessThanOrEqual(hi);
      });
    }
    expect(foldVoiceRanges(wild, voiceOf, 'model')).toEqual(wild);
    // Through steerResult the voice comes from the new track's name.
    const steered = steerResult(result(wild.slice(0, 4)), score, { sourceTrackIds: ['mel' as TrackId] }, { ...DEFAULT_STEER, voiceRanges: 'choir' }, 1920);
    expect(steered.add.map((x) => x.pitch)).toEqual([64, 66, 51, 44]);
  });

  it('similarity: like keeps the draft closest to the previous candidate, unlike the farthest', async () => {
    const previous = alto;
    const drafts = [alto.map((x, i) => (i < 4 ? x : { ...x, pitch: x.pitch + 2 })), alto.map((x) => ({ ...x, pitch: x.pitch + 1 })), alto.map((x, i) => (i < 7 ? x : { ...x, pitch: 30 }))];
    expect(drafts.map((d) => noteOverlap(d, previous))).toEqual([0.5, 0, 7 / 8]);
    expect(pickBySimilarity(drafts.map((add) => ({ add })), previous, 'like')).toBe(2);
    expect(pickBySimilarity(drafts.map((add) => ({ add })), previous, 'unlike')).toBe(1);

    // generateSteered asks the model for SIMILARITY_DRAFTS drafts on distinct seeds and keeps the chosen one.
    const seeds: number[] = [];
    const generate = async (seed: number) => (seeds.push(seed), result(drafts[seeds.length - 1]!));
    const like = await generateSteered(generate, { seed: 5, steer: { ...DEFAULT_STEER, similarity: 'like' }, previous, score, request: { sourceTrackIds: ['mel' as TrackId] }, ticksPerBar: 1920 });
    expect(seeds).toHaveLength(SIMILARITY_DRAFTS);
    expect(new Set(seeds).size).toBe(SIMILARITY_DRAFTS);
    expect(like.add).toEqual(drafts[2]);
    seeds.length = 0;
    const unlike = await generateSteered(generate, { seed: 5, steer: { ...DEFAULT_STEER, similarity: 'unlike' }, previous, score, request: { sourceTrackIds: ['mel' as TrackId] }, ticksPerBar: 1920 });
    expect(unlike.add).toEqual(drafts[1]);
    // Without a previous candidate, one draft with the request's own seed.
    seeds.length = 0;
    await generateSteered(generate, { seed: 5, steer: { ...DEFAULT_STEER, similarity: 'like' }, previous: null, score, request: { sourceTrackIds: ['mel' as TrackId] }, ticksPerBar: 1920 });
    expect(seeds).toEqual([5]);
  });
});

// The "how it works" explanations (models/*/explain.ts) show the sampling the generators really
// do: with the same network, melody, knobs and seed, the AR-CNN's last iteration and the
// transformer's tokens are exactly the accompaniment the generator writes (so the trace hooks
// change nothing), and every attention row the decoder records sums to 1. Tiny untrained networks
// keep it fast; the server integration test runs the committed weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MELODIES } from '../lib/melodies/builtin';
import { DEFAULT_META, type NoteId, type Score, type TrackId } from '../lib/score';
import type { ExplainMelody } from '../lib/ai/explain';
import { TINY_NET } from './arcnn/config';
import { explainArcnn } from './arcnn/explain';
import { ArcnnGenerator } from './arcnn/index';
import { createNet, disposeNet, type ArcnnNet } from './arcnn/network';
import { initRuntime, tf } from './runtime/index';
import { createRng } from './runtime/rng';
import { explainTransformer } from './transformer/explain';
import { TransformerGenerator } from './transformer/index';
import { MELODY_TINY_CONFIG } from './transformer/mel-config';
import { initMelodyParams } from './transformer/mel-network';
import type { MelodyModel } from './transformer/mel-weights';

const TRACK = 'melody' as TrackId;
const tune = BUILTIN_MELODIES.twinkle;
const score: Score = {
  meta: { ...DEFAULT_META, timeSignature: tune.timeSignature },
  tracks: [{ id: TRACK, name: 'Melody', instrument: 'piano', color: '#3366cc', role: 'melody', muted: false, solo: false, volume: 1, order: 0 }],
  notes: tune.notes.map((n, i) => ({ ...n, id: `n${i}` as NoteId, trackId: TRACK, velocity: 80 })),
};
const bars: [number, number] = [0, 4];
const melody: ExplainMelody = { title: tune.title, timeSignature: tune.timeSignature, bars, truncated: false, notes: [] };
const VOICE_OF: Record<string, number> = { 'arcnn-alto': 1, 'arcnn-tenor': 2, 'arcnn-bass': 3, alto: 1, tenor: 2, bass: 3 };
const sig = (ns: { voice: number; pitch: number; start: number; duration: number }[]) => ns.map((n) => `${n.voice}:${n.pitch}@${n.start}+${n.duration}`).sort();

let net: ArcnnNet;
let mel: MelodyModel;
beforeAll(async () => {
  await initRuntime();
  net = createNet(TINY_NET, 5);
  const params = initMelodyParams({ ...MELODY_TINY_CONFIG }, createRng(7));
  // Untrained but opinionated (as mel-sampler.test): large weights give peaked, varied distributions.
  for (const [k, v] of Object.entries(params)) if (!k.endsWith('_g')) v.assign(tf.mul(v, 40));
  mel = { params, cfg: { ...MELODY_TINY_CONFIG } };
});
afterAll(() => {
  disposeNet(net);
  for (const v of Object.values(mel.params)) v.dispose();
});

describe('explanations replay the generators', () => {
  it('AR-CNN: the notes after the last iteration are the generator’s output for the same seed', async () => {
    const ex = await explainArcnn({ score, trackId: TRACK, bars, melody, iterations: 5, seed: 11, net });
    expect(ex.iterations).toHaveLength(5);
    const out = await new ArcnnGenerator({ net }).generate(score, { task: 'harmonize', sourceTrackIds: [TRACK], bars, params: { iterations: 5 }, seed: 11 });
    expect(out.add.length).toBeGreaterThan(0);
    expect(sig(ex.final)).toEqual(sig(out.add.map((n) => ({ ...n, voice: VOICE_OF[n.trackId]! }))));
  });

  it('transformer: the tokens are the generator’s alto, tenor and bass, and each attention row sums to 1', async () => {
    const ex = await explainTransformer({ score, trackId: TRACK, bars, melody, seed: 4, model: mel });
    const out = await new TransformerGenerator({ melodyModel: mel }).generate(score, { task: 'harmonize', sourceTrackIds: [TRACK], bars, seed: 4 });
    // Tokens → notes the way the generator merges them (equal consecutive pitches of a voice).
    const notes: { voice: number; pitch: number; start: number; duration: number }[] = [];
    const open = new Map<number, (typeof notes)[number]>();
    for (const t of ex.tokens) {
      const cur = open.get(t.voice);
      if (cur && cur.pitch === t.pitch && cur.start + cur.duration === t.step * 120) {
        cur.duration += 120;
        continue;
      }
      open.delete(t.voice);
      if (t.pitch === null) continue;
      const n = { voice: t.voice, pitch: t.pitch, start: ex.grid.offsetTick + t.step * 120, duration: 120 };
      open.set(t.voice, n);
      notes.push(n);
    }
    expect(sig(notes)).toEqual(sig(out.add.map((n) => ({ ...n, voice: VOICE_OF[n.trackId]! }))));
    for (const a of ex.attention) for (const row of a.layers) expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 3);
  });
});

// `npm run bench:models -- transformer [--runs N]`: on the wasm backend, with the committed weights:
// latency to harmonise 8 bars (soprano given) and to continue 4 bars of 4 voices through the
// generator (median of N runs after a warm-up), and decoding throughput in tokens/s with the
// key/value cache (plain-JS decoder, which the generator uses, and tfjs-wasm network.step) and
// without it (tfjs-wasm full forward over the last window for every token). Writes
// bench/results/models-transformer.json; the last line printed is that JSON object.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Note, NoteId, Score, Track, TrackId } from '../../lib/score';
import { loadJsb } from '../data/jsb';
import { pitchToToken } from '../data/tokens';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { decoderDir, TransformerGenerator } from './model';
import { forward } from './network';
import { decode, decodeWithoutCache, type DecodePlan, type Model } from './sampler';
import { WEIGHTS_DIR, loadWeights, readArch } from './weights';

const RESULTS = fileURLToPath(new URL('../../bench/results/models-transformer.json', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function track(id: string, i: number): Track {
  return {
    id: id as TrackId,
    name: id,
    instrument: 'piano',
    color: '#445566',
    role: i === 0 ? 'melody' : 'accompaniment',
    muted: false,
    solo: false,
    volume: 1,
    order: i,
  };
}

/** Bars [0, bars) of a chorale as a score: only the soprano, or all four voices on four tracks. */
function choraleScore(ch: number[][], bars: number, voices: number): Score {
  const ids = ['s', 'a', 't', 'b'].slice(0, voices);
  const notes: Note[] = [];
  ids.forEach((id, v) => {
    let start = 0;
    const steps = Math.min(ch.length, bars * 16);
    for (let t = 1; t <= steps; t++) {
      const p = ch[t - 1]![v]!;
      if (t < steps && ch[t]![v] === p) continue;
      if (p >= 0) notes.push({ id: `${id}${t}` as NoteId, trackId: id as TrackId, pitch: p, start: start * 120, duration: (t - start) * 120, velocity: 90 });
      start = t;
    }
  });
  return { meta: { title: 'bench', bpm: 90, timeSignature: [4, 4], key: 'C major', lengthBars: bars, schemaVersion: 1 }, tracks: ids.map(track), notes };
}

async function timeIt(runs: number, f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function main(flags: Record<string, string | true>): Promise<void> {
  const runs = Number(flags.runs ?? 5);
  const rt = await initRuntime({ backend: 'wasm' });
  const ch = loadJsb().test[0]!;
  const gen = new TransformerGenerator();
  await gen.initialize();

  const melody = choraleScore(ch, 8, 1);
  const harmonize = await timeIt(runs, () => gen.generate(melody, { task: 'harmonize', sourceTrackIds: ['s' as TrackId], seed: 1 }));
  const satb = choraleScore(ch, 2, 4);
  const cont = await timeIt(runs, () =>
    gen.generate(satb, { task: 'continue', sourceTrackIds: ['s', 'a', 't', 'b'] as TrackId[], seed: 1, params: { bars: 4 } }),
  );
  gen.dispose();

  const arch = readArch(WEIGHTS_DIR);
  // Throughput of the decoder-only model (which `continue` uses): 256 tokens (4 bars × 4 voices) after BOS, nothing forced.
  const model: Model = loadWeights(decoderDir(WEIGHTS_DIR));
  const n = 256;
  const plan: DecodePlan = { tokens: new Array(n).fill(null), startsPiece: true };
  const sampling = { temperature: 1, topP: 0.95 };
  const tps = async (f: () => Promise<unknown> | unknown) => n / ((await timeIt(Math.max(1, Math.floor(runs / 2)), async () => f())) / 1000);
  const jsTps = await tps(() => decode(model, plan, sampling, createRng(1), {}, 'js'));
  const tfjsTps = await tps(() => decode(model, plan, sampling, createRng(1), {}, 'tfjs'));
  const noCacheTps = await tps(() => decodeWithoutCache(model, plan, sampling, createRng(1), (t, v) => forward(model.params, model.cfg, t, v)));
  // Harmonising 8 bars with the tfjs-wasm cached step instead of the JS decoder, for reference.
  const hPlan: DecodePlan = { tokens: ch.slice(0, 128).flatMap((s) => [pitchToToken(s[0]!), null, null, null]), startsPiece: true };
  const harmonizeTfjs = await timeIt(Math.max(1, Math.floor(runs / 2)), () => decode(model, hPlan, sampling, createRng(1), {}, 'tfjs'));
  for (const v of Object.values(model.params)) v.dispose();

  const out = {
    model: 'transformer',
    harmonize_arch: arch,
    backend: rt.backend,
    simd: rt.simd,
    threads: rt.threads,
    runs,
    latency_ms_harmonize_8bars: Math.round(harmonize),
    latency_ms_continue_4bars: Math.round(cont),
    latency_ms_harmonize_8bars_tfjs_step: Math.round(harmonizeTfjs),
    tokens_per_sec_kv_cache: Math.round(jsTps),
    tokens_per_sec_kv_cache_tfjs: Math.round(tfjsTps),
    tokens_per_sec_no_cache: Math.round(noCacheTps),
    kv_cache_speedup: Number((tfjsTps / noCacheTps).toFixed(2)),
    target_ms_harmonize_8bars: 3000,
    tensors_after: tf.memory().numTensors,
    date: new Date().toISOString(),
  };
  console.log(
    `harmonise 8 bars: ${out.latency_ms_harmonize_8bars} ms (generator, ${arch} model, JS KV-cache decoder); decoder-only model through the tfjs-wasm cached step: ${out.latency_ms_harmonize_8bars_tfjs_step} ms`,
  );
  console.log(`continue 4 bars × 4 voices: ${out.latency_ms_continue_4bars} ms`);
  console.log(
    `tokens/s: ${out.tokens_per_sec_kv_cache} (JS + KV cache), ${out.tokens_per_sec_kv_cache_tfjs} (tfjs-wasm + KV cache), ${out.tokens_per_sec_no_cache} (tfjs-wasm, no cache)`,
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(out, null, 1) + '\n');
  console.log(JSON.stringify(out));
}

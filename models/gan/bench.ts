// `npm run bench:models -- gan [--runs N]`: latency on the wasm backend of accompanying an 8-bar
// melody (three new voices, the whole request through the generator interface), after one
// warm-up call; plus the cold first call (weights already loaded) and the bare forward pass.
// Writes bench/results/models-gan.json; the last line printed is that JSON object.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_META, PPQ, defaultTrack, newNoteId, newTrackId, type Note, type Score, type Track } from '../../lib/score';
import type { GenerateRequest } from '../generator';
import { initRuntime } from '../runtime/index';
import { GanGenerator } from './model';
import { accompanyLines } from './sampler';
import { disposeParams, loadCommittedGenerator } from './weights';

const RESULTS = fileURLToPath(new URL('../../bench/results/models-gan.json', import.meta.url));
const TARGET_MS = 1000;

/** 8 bars of a stepwise soprano line in C (quarters, a half note closing each 2-bar phrase). */
export function benchScore(): { score: Score; melody: Track } {
  const melody: Track = { ...defaultTrack(0, { name: 'Melody', role: 'melody' }), id: newTrackId() };
  const phrase = [72, 74, 76, 77, 79, 77, 76];
  const notes: Note[] = [];
  for (let p = 0; p < 4; p++)
    phrase.forEach((pitch, i) =>
      notes.push({
        id: newNoteId(),
        trackId: melody.id,
        pitch: pitch - (p % 2) * 2,
        start: (p * 8 + i) * PPQ,
        duration: i === phrase.length - 1 ? 2 * PPQ : PPQ,
        velocity: 90,
      }),
    );
  return { score: { meta: { ...DEFAULT_META, lengthBars: 8 }, tracks: [melody], notes }, melody };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export async function main(flags: Record<string, string | true>): Promise<void> {
  const runs = flags.runs !== undefined ? Number(flags.runs) : 20;
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error('--runs needs a positive integer');
  const rt = await initRuntime({ backend: 'wasm' });
  const { score, melody } = benchScore();
  const request: GenerateRequest = { task: 'accompany', sourceTrackIds: [melody.id], bars: [0, 8] };
  const gen = new GanGenerator();
  const tInit = performance.now();
  await gen.initialize();
  const initMs = performance.now() - tInit;
  const tCold = performance.now();
  await gen.generate(score, { ...request, seed: 0 });
  const coldMs = performance.now() - tCold;
  const lat: number[] = [];
  let notes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await gen.generate(score, { ...request, seed: i + 1 });
    lat.push(performance.now() - t0);
    notes = r.add.length;
  }
  gen.dispose();
  // The network alone on the same 8 bars (12 bars with context), for the share of overhead.
  const loaded = loadCommittedGenerator();
  const line = Array.from({ length: 12 * 16 }, (_, t) => 60 + ((t >> 2) % 12));
  const fwd: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    accompanyLines(loaded.params, loaded.config, [line], { seed: i });
    fwd.push(performance.now() - t0);
  }
  disposeParams(loaded.params);
  const out = {
    model: 'gan',
    task: 'accompany',
    bars: 8,
    backend: rt.backend,
    simd: rt.simd,
    threads: rt.threads,
    runs,
    latency_ms: Math.round(quantile(lat, 0.5) * 10) / 10,
    latency_p90_ms: Math.round(quantile(lat, 0.9) * 10) / 10,
    cold_first_call_ms: Math.round(coldMs),
    initialize_ms: Math.round(initMs),
    forward_ms: Math.round(quantile(fwd, 0.5) * 10) / 10,
    notes_per_accompaniment: notes,
    target_ms: TARGET_MS,
    meets_target: quantile(lat, 0.5) <= TARGET_MS,
    when: new Date().toISOString(),
  };
  console.log(
    `GAN accompaniment of 8 bars on ${rt.backend}: median ${out.latency_ms} ms, p90 ${out.latency_p90_ms} ms (target ≤ ${TARGET_MS} ms); cold ${out.cold_first_call_ms} ms; forward ${out.forward_ms} ms`,
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out));
}

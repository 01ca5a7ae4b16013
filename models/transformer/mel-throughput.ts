// Training throughput of melody-encoder shapes on the wasm backend:
//   npx tsx models/transformer/mel-throughput.ts '[{"batch":16,"dModel":128}, …]' [seconds per shape]
// Each shape (fields override MELODY_DEFAULT_CONFIG; `batch` is windows per step) trains on real
// batches for the given time; prints steps/s, A/T/B tokens/s and effective GFLOP/s (2 · 3 ·
// dense multiply-adds per step, as denseMacsPerStep counts them), one JSON line per shape, and
// finally all of them as one JSON array. Only meaningful on an otherwise idle core.
import { loadJsb } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { MELODY_DEFAULT_CONFIG, melodyConfigSchema, type MelodyConfig } from './mel-config';
import { sampleMelodyBatch } from './mel-encoding';
import { countMelodyParams, denseMacsPerStep, initMelodyParams } from './mel-network';
import { melodyTrainStep } from './mel-train';

const rt = await initRuntime({ backend: 'wasm' });
const data = loadJsb();
const shapes = JSON.parse(process.argv[2] ?? '[{"batch":16}]') as Array<Partial<MelodyConfig> & { batch: number }>;
const secs = Number(process.argv[3] ?? 60);
const results: unknown[] = [];
for (const s of shapes) {
  const { batch, ...rest } = s;
  const cfg = melodyConfigSchema.parse({ ...MELODY_DEFAULT_CONFIG, ...rest });
  const params = initMelodyParams(cfg, createRng(1));
  const opt = tf.train.adam(1e-3, 0.9, 0.98, 1e-8);
  const rng = createRng(2);
  let n = 0;
  let t0 = 0;
  let loss = NaN;
  const tStart = performance.now();
  for (;;) {
    if (n === 2) t0 = performance.now(); // the first two steps compile kernels
    loss = melodyTrainStep(params, cfg, opt, sampleMelodyBatch(data.train, cfg, batch, rng, 6), 1e-3).loss;
    n++;
    if (performance.now() - tStart > secs * 1000 && n > 4) break;
  }
  const sps = (n - 2) / ((performance.now() - t0) / 1000);
  const r = { ...s, backend: rt.backend, params: countMelodyParams(cfg), steps: n, steps_per_sec: +sps.toFixed(3), tokens_per_sec: Math.round(sps * batch * cfg.maxLen * 3), effective_gflops: +((sps * 6 * denseMacsPerStep(cfg) * batch * cfg.maxLen) / 1e9).toFixed(2), loss: +loss.toFixed(3) };
  console.log(JSON.stringify(r));
  results.push(r);
  Object.values(params).forEach((v) => v.dispose());
  opt.dispose();
}
console.log(JSON.stringify(results));

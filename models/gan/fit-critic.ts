// `tsx models/gan/fit-critic.ts [--updates N] [--seed S] [--out DIR] [--init DIR]`: trains a WGAN-GP critic
// against the committed generator, frozen, and saves it in models/weights/gan/critic/.
// Why: the training run kept its critic only in its checkpoint, which is gone, and the "how it
// works" view must show the critic's score for generated and real accompaniments. A critic fitted
// afterwards to the final generator is the discriminator's view of exactly that generator (the
// same objective, data, batch and optimiser as the training run's critic updates, ./train.ts).
// The generator's weights are only read. --init continues from a critic saved before (its
// update count adds up; the optimiser restarts). At the end it scores the first 20 valid-split
// windows, real and generated, and keeps the figures in the critic's config.json (meta).
import path from 'node:path';
import { loadJsb, STEPS_PER_BAR } from '../data/jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { NUM_ACCOMP, NUM_CLASSES } from './config';
import { barNoise, sampleBatch } from './encoding';
import { criticTerms, fakeAccompaniment } from './loss';
import { criticScore } from './explain';
import { criticSpec, initParams } from './network';
import { accompanyLines } from './sampler';
import { CRITIC_DIR, WEIGHTS_DIR, assignParams, disposeParams, loadCommittedGenerator, loadWeights, saveWeights } from './weights';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const updates = flag('updates', 250);
  const seed = flag('seed', 1);
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx >= 0 ? process.argv[outIdx + 1]! : path.join(WEIGHTS_DIR, CRITIC_DIR);
  await initRuntime();
  const { params: G, config: c } = loadCommittedGenerator();
  const D = initParams(criticSpec(c), seed * 2 + 2);
  const initIdx = process.argv.indexOf('--init');
  let before = 0;
  if (initIdx >= 0) {
    const prev = loadWeights(process.argv[initIdx + 1]!, 'critic');
    assignParams(D, prev.params);
    disposeParams(prev.params);
    before = Number(prev.meta.updates ?? 0);
  }
  const opt = tf.train.adam(c.learningRate, c.beta1, c.beta2);
  const train = loadJsb().train;
  const rng = createRng(seed);
  const T = c.chunkSteps;
  const bars = T / STEPS_PER_BAR;
  const t0 = performance.now();
  let wass = 0;
  for (let u = 0; u < updates; u++) {
    const b = sampleBatch(train, c.batch, T, rng);
    const mel = tf.tensor3d(b.melody, [c.batch, T, NUM_CLASSES]);
    const real = tf.tensor3d(b.accomp, [c.batch, T, NUM_ACCOMP * NUM_CLASSES]);
    const noise = tf.tensor3d(barNoise(rng, c.batch * bars, c.noiseDim), [c.batch, bars, c.noiseDim]);
    const fake = tf.tidy(() => fakeAccompaniment(G, c, mel, noise));
    const eps = tf.tensor1d(Array.from({ length: c.batch }, () => rng.next()));
    opt.minimize(
      () => {
        const r = criticTerms(D, c, mel, real, fake, eps);
        wass = 0.9 * wass + 0.1 * r.wasserstein.dataSync()[0]!;
        return r.loss;
      },
      false,
      Object.values(D),
    );
    tf.dispose([mel, real, noise, fake, eps]);
    if ((u + 1) % 10 === 0)
      console.log(`[fit-critic] ${u + 1}/${updates} wasserstein (EMA) ${wass.toFixed(3)} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  // How well it tells Bach from the generator: first 4 bars of 20 valid-split chorales, each real
  // and as the generator accompanies its soprano (seed 1).
  const windows = loadJsb()
    .valid.filter((ch) => ch.length >= T)
    .slice(0, 20)
    .map((ch) => ch.slice(0, T));
  let realMean = 0;
  let generatedMean = 0;
  let realHigher = 0;
  for (const ch of windows) {
    const [v] = accompanyLines(G, c, [ch.map((s) => s[0]!)], { seed: 1 });
    const r = criticScore(D, c, ch);
    const f = criticScore(
      D,
      c,
      ch.map((s, t) => [s[0]!, v![0]![t]!, v![1]![t]!, v![2]![t]!]),
    );
    realMean += r / windows.length;
    generatedMean += f / windows.length;
    if (r > f) realHigher++;
  }
  const separation = { windows: windows.length, realMean, generatedMean, realHigher };
  await saveWeights(out, 'critic', D, c, {
    updates: before + updates,
    separation,
    seed,
    against: 'the committed generator (frozen), after training',
    wassersteinEma: wass,
    seconds: Math.round((performance.now() - t0) / 1000),
  });
  console.log(JSON.stringify({ updates: before + updates, seed, wassersteinEma: wass, separation, seconds: Math.round((performance.now() - t0) / 1000), out }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

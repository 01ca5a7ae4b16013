// The networks' building blocks on the runtime's backend (wasm here): the gradient penalty's
// gradient-of-a-gradient matches finite differences (so the critic's ops all have second-order
// paths, including the runtime's custom conv gradient kernels), the abs-form leaky ReLU equals
// tfjs's, the phase-split dilated conv equals tfjs's dilated conv, and the generator is local in
// time (what lets one pass over a whole melody replace chunk stitching).
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from '../runtime/index';
import { NUM_ACCOMP, NUM_CLASSES, TINY_CONFIG } from './config';
import { criticTerms } from './loss';
import { criticSpec, generate, generatorSpec, initParams, lrelu } from './network';
import { createRng } from '../runtime/rng';
import { disposeParams } from './weights';

beforeAll(async () => {
  await initRuntime();
});

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('GAN network', () => {
  it('leaky ReLU written as 0.6x + 0.4|x| equals tf.leakyRelu(0.2)', () => {
    const x = randn([64], 1);
    const d = tf.max(tf.abs(tf.sub(lrelu(x), tf.leakyRelu(x, 0.2)))).dataSync()[0]!;
    expect(d).toBeLessThan(1e-6);
    x.dispose();
  });

  it('gradient penalty: nested gradient w.r.t. critic weights matches finite differences', () => {
    const c = { ...TINY_CONFIG, batch: 2 };
    const D = initParams(criticSpec(c), 3);
    const T = c.chunkSteps;
    const mel = tf.softmax(randn([2, T, NUM_CLASSES], 4)) as tf.Tensor3D;
    const real = tf.softmax(randn([2, T, NUM_ACCOMP * NUM_CLASSES], 5)) as tf.Tensor3D;
    const fake = tf.softmax(randn([2, T, NUM_ACCOMP * NUM_CLASSES], 6)) as tf.Tensor3D;
    const eps = tf.tensor1d([0.3, 0.7]);
    const gpOnly = (): tf.Scalar => criticTerms(D, c, mel, real, fake, eps).gp;
    const w = D['d/step/w']!;
    const { grads } = tf.variableGrads(gpOnly, [w]);
    const analytic = grads[w.name]!.dataSync();
    // Directional derivative along the analytic gradient (u = g/|g|) must equal |g|; a single
    // direction over all weights keeps float32 round-off small next to the change in the penalty.
    const values = w.dataSync().slice();
    const norm = Math.hypot(...analytic);
    expect(norm).toBeGreaterThan(0);
    const at = (h: number): number => {
      const moved = values.map((v, i) => v + (h * analytic[i]!) / norm);
      w.assign(tf.tensor(moved, w.shape));
      return tf.tidy(() => gpOnly().dataSync()[0]!);
    };
    const h = 1e-3;
    const numeric = (at(h) - at(-h)) / (2 * h);
    expect(Math.abs(numeric - norm) / norm).toBeLessThan(0.03);
    tf.dispose([mel, real, fake, eps, ...Object.values(grads)]);
    disposeParams(D);
  });

  it('is local in time: changing the melody far away leaves an output step unchanged', () => {
    const c = TINY_CONFIG;
    const G = initParams(generatorSpec(c), 9);
    const steps = 128;
    const classes = Array.from({ length: steps }, (_, t) => (t * 7) % NUM_CLASSES);
    const mel = (cls: number[]) => tf.oneHot(tf.tensor1d(cls, 'int32'), NUM_CLASSES).toFloat().expandDims(0) as tf.Tensor3D;
    const noise = tf.zeros([1, steps / 16, c.noiseDim]) as tf.Tensor3D;
    const changed = classes.map((k, t) => (t >= 96 ? (k + 5) % NUM_CLASSES : k));
    const [a, b] = [classes, changed].map((cls) => tf.tidy(() => generate(G, c, mel(cls), noise).slice([0, 0, 0, 0], [1, 32, NUM_ACCOMP, NUM_CLASSES]).dataSync()));
    expect(Array.from(a!)).toEqual(Array.from(b!));
    const near = tf.tidy(() => generate(G, c, mel(changed), noise).slice([0, 92, 0, 0], [1, 4, NUM_ACCOMP, NUM_CLASSES]).dataSync());
    const orig = tf.tidy(() => generate(G, c, mel(classes), noise).slice([0, 92, 0, 0], [1, 4, NUM_ACCOMP, NUM_CLASSES]).dataSync());
    expect(Array.from(near)).not.toEqual(Array.from(orig));
    noise.dispose();
    disposeParams(G);
  });

  it('voice heads: each voice reads only the voices before it (bass, then alto, then tenor)', () => {
    const c = TINY_CONFIG;
    const G = initParams(generatorSpec(c), 11);
    const steps = 32;
    const rng = createRng(4);
    const classes = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * NUM_CLASSES));
    const oneHot = (cls: number[]) => tf.oneHot(tf.tensor1d(cls, 'int32'), NUM_CLASSES).toFloat();
    const [alto, tenor, bass, mel] = [classes(steps), classes(steps), classes(steps), classes(steps)];
    // Accompaniment layout: per step alto, tenor, bass (voice-major), as the data's.
    const given = (a: number[], t: number[], b: number[]) => tf.stack([oneHot(a), oneHot(t), oneHot(b)], 1).reshape([1, steps, NUM_ACCOMP * NUM_CLASSES]) as tf.Tensor3D;
    const melody = oneHot(mel).expandDims(0) as tf.Tensor3D;
    const noise = tf.zeros([1, steps / 16, c.noiseDim]) as tf.Tensor3D;
    const voices = (g: tf.Tensor3D) => tf.tidy(() => tf.unstack(generate(G, c, melody, noise, g).squeeze([0]), 1).map((v) => Array.from(v.dataSync())));
    const base = voices(given(alto, tenor, bass));
    const otherBass = voices(given(alto, tenor, bass.map((k) => (k + 7) % NUM_CLASSES)));
    const otherAlto = voices(given(alto.map((k) => (k + 3) % NUM_CLASSES), tenor, bass));
    const otherTenor = voices(given(alto, tenor.map((k) => (k + 5) % NUM_CLASSES), bass));
    const [A, T, B] = [0, 1, 2];
    expect(otherBass[B]).toEqual(base[B]);
    expect(otherBass[A]).not.toEqual(base[A]);
    expect(otherBass[T]).not.toEqual(base[T]);
    expect(otherAlto[B]).toEqual(base[B]);
    expect(otherAlto[A]).toEqual(base[A]);
    expect(otherAlto[T]).not.toEqual(base[T]);
    for (const v of [A, T, B]) expect(otherTenor[v]).toEqual(base[v]);
    tf.dispose([melody, noise]);
    disposeParams(G);
  });
});

// Sweep of the gradients the three models' layers rely on (pooling, activations, normalisation,
// softmax, resampling, slicing/concatenation, embeddings, recurrent cells): each must run on wasm
// and agree with the cpu backend (relative error ≤ 1e-4). This is how missing wasm gradients
// are found before a model's training run does.
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, tf } from './index';
import { createRng } from './rng';

const TOL = 1e-4;

function values(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

async function gradsOn(backend: 'cpu' | 'wasm', shape: number[], f: (x: tf.Tensor) => tf.Tensor): Promise<Float32Array[]> {
  await initRuntime({ backend });
  const out = tf.tidy(() => {
    const x = tf.tensor(values(shape, 1), shape);
    const y = f(x);
    const r = tf.tensor(values(y.shape, 2), y.shape);
    const g = tf.grad((z: tf.Tensor) => f(z).mul(r).sum())(x);
    return [y, g];
  });
  const data = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return data;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 1e-6;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

const ops: Array<[string, number[], (x: tf.Tensor) => tf.Tensor]> = [
  ['maxPool 2x2 s2', [2, 8, 6, 3], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same')],
  ['maxPool 3x3 s1 valid', [2, 7, 7, 2], (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'valid')],
  ['avgPool 2x2 s2', [2, 8, 6, 3], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'same')],
  ['avgPool [1,4] (pitch pooling)', [2, 8, 12, 3], (x) => tf.avgPool(x as tf.Tensor4D, [1, 4], [1, 4], 'valid')],
  ['leakyRelu', [4, 9], (x) => tf.leakyRelu(x, 0.2)],
  ['elu', [4, 9], (x) => tf.elu(x)],
  ['relu6 / selu / gelu-ish tanh', [4, 9], (x) => tf.relu6(x).add(tf.selu(x)).add(tf.tanh(x.mul(0.7)))],
  ['sigmoid / softplus', [4, 9], (x) => tf.sigmoid(x).add(tf.softplus(x))],
  ['softmax', [3, 4, 7], (x) => tf.softmax(x)],
  ['logSoftmax', [3, 4, 7], (x) => tf.logSoftmax(x)],
  ['layer norm via moments', [3, 4, 8], (x) => { const { mean, variance } = tf.moments(x, -1, true); return x.sub(mean).div(variance.add(1e-5).sqrt()); }],
  ['batchNorm', [2, 4, 4, 3], (x) => { const { mean, variance } = tf.moments(x, [0, 1, 2]); return tf.batchNorm(x, mean, variance, tf.fill([3], 0.1), tf.fill([3], 1.5), 1e-3); }],
  ['resizeNearestNeighbor ×2', [2, 4, 3, 2], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 6])],
  // Square only: tfjs's own ResizeBilinearGrad (cpu too) returns H and W swapped for non-square images.
  ['resizeBilinear ×2', [2, 4, 4, 2], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8])],
  ['upSampling2d layer (nearest) on a non-square roll', [2, 4, 6, 2], (x) => tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.Tensor],
  ['concat + split + stridedSlice', [2, 6, 4], (x) => { const [a, b] = tf.split(x, 2, 1); return tf.concat([b!, a!.mul(2)], 2).slice([0, 1, 2], [2, 2, 5]); }],
  ['pad / mirrorPad / tile', [2, 3, 4], (x) => tf.pad(x, [[0, 0], [1, 2], [0, 1]]).sum().add(tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1]], 'reflect').sum()).add(tf.tile(x, [2, 1, 1]).sum())],
  ['transpose / reshape / reverse', [2, 3, 4], (x) => tf.reverse(x.transpose([2, 0, 1]).reshape([4, 6]), 1)],
  ['cumsum (causal masks)', [3, 5], (x) => tf.cumsum(x, 1)],
  ['where / maximum / minimum / clip', [4, 6], (x) => tf.where(tf.tensor(values([4, 6], 1), [4, 6]).greater(0), tf.maximum(x, 0.3), tf.minimum(x, -0.3)).clipByValue(-1, 1)],
  ['max / min / mean / prod reductions', [3, 4, 5], (x) => tf.max(x, 2).add(tf.min(x, 2)).add(tf.mean(x, 2)).add(tf.prod(x.mul(0.3).add(1), 2))],
  ['logSumExp / square / abs / exp / log', [3, 6], (x) => tf.logSumExp(x, 1).add(x.square().sum(1)).add(x.abs().sum(1)).add(x.exp().add(1).log().sum(1))],
  ['sigmoid cross-entropy', [4, 10], (x) => tf.losses.sigmoidCrossEntropy(tf.tensor(values([4, 10], 5), [4, 10]).greater(0).toFloat(), x)],
  ['softmax cross-entropy', [4, 10], (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 3, 9, 0], 'int32'), 10), x)],
  ['gather rows (embedding)', [10, 4], (x) => tf.gather(x, tf.tensor1d([3, 3, 0, 9, 5], 'int32'))],
  ['depthwise conv2d', [2, 6, 6, 3], (x) => tf.depthwiseConv2d(x as tf.Tensor4D, tf.tensor4d(values([3, 3, 3, 2], 6), [3, 3, 3, 2]), 1, 'same')],
  ['separable conv2d', [2, 6, 6, 3], (x) => tf.separableConv2d(x as tf.Tensor4D, tf.tensor4d(values([3, 3, 3, 1], 7), [3, 3, 3, 1]), tf.tensor4d(values([1, 1, 3, 4], 8), [1, 1, 3, 4]), 1, 'same')],
  ['conv1d (stride 2, causal-style)', [2, 12, 3], (x) => tf.conv1d(x as tf.Tensor3D, tf.tensor3d(values([3, 3, 4], 9), [3, 3, 4]), 2, 'same')],
  ['basicLSTMCell', [2, 5], (x) => {
    const [c, h] = tf.basicLSTMCell(tf.scalar(1), tf.tensor2d(values([5 + 3, 12], 10), [8, 12]), tf.zeros([12]), x as tf.Tensor2D, tf.ones([2, 3]), tf.ones([2, 3]));
    return c!.add(h!);
  }],
];

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

describe('op gradients on wasm match cpu', () => {
  for (const [name, shape, f] of ops) {
    it(name, async () => {
      const ref = await gradsOn('cpu', shape, f);
      const got = await gradsOn('wasm', shape, f);
      got.forEach((g, i) => expect(relErr(g, ref[i]!)).toBeLessThanOrEqual(TOL));
    });
  }
});

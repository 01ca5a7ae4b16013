// BatchMatMul for wasm. The stock kernel reaches XNNPACK's fast GEMM only for an untransposed,
// unbatched product; transposed operands (every matMul gradient) and batched products (attention)
// fall to a scalar loop 5-40x slower. We rewrite every case into untransposed 2-D products:
// explicit transposes (cheap, memory-bound), and folding a shared operand's batches into rows or
// columns. Products batched on both sides keep the stock path (no faster alternative measured).
import * as tf from '@tensorflow/tfjs';
import { composer } from './compose';

type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

export function batchMatMul(stock: tf.KernelFunc, backendName: string) {
  return (args: Args): tf.TensorInfo => {
    const { a: a0, b: b0 } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a0.dtype !== 'float32' || b0.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    // Truly batched products (attention scores): the stock batched path is as fast as a loop of
    // 2-D products here (measured), transposed or not.
    const batchA0 = tf.util.sizeFromShape(a0.shape.slice(0, -2));
    const batchB0 = tf.util.sizeFromShape(b0.shape.slice(0, -2));
    if (batchA0 > 1 && batchB0 > 1) {
      const outer = tf.backend_util.assertAndGetBroadcastShape(a0.shape.slice(0, -2), b0.shape.slice(0, -2));
      const full = tf.util.sizeFromShape(outer);
      if (batchA0 === full && batchB0 === full) return stock(args) as tf.TensorInfo;
      // Partial broadcasting ([2,1,…]·[1,3,…]): tfjs's kernels index it wrongly; tile it out.
      const c = composer(args.backend, backendName);
      const tile = (t: tf.TensorInfo): tf.TensorInfo => {
        const lead = t.shape.slice(0, -2);
        const padded = [...new Array<number>(outer.length - lead.length).fill(1), ...lead];
        const r = c.run('Reshape', { x: t }, { shape: [...padded, ...t.shape.slice(-2)] });
        return c.run('Tile', { x: r }, { reps: [...outer.map((d, i) => d / padded[i]!), 1, 1] });
      };
      return c.finish(c.temp(stock({ ...args, inputs: { a: tile(a0), b: tile(b0) } }) as tf.TensorInfo));
    }
    if (batchA0 === 1 && batchB0 === 1 && !transposeA && !transposeB) return stock(args) as tf.TensorInfo;
    const c = composer(args.backend, backendName);
    const mm2d = (a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo =>
      stock({ inputs: { a, b }, backend: args.backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    const mm = (a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo => c.temp(mm2d(a, b));
    const a = transposeA ? c.run('Transpose', { x: a0 }, { perm: swapLast(a0.shape.length) }) : a0;
    const b = transposeB ? c.run('Transpose', { x: b0 }, { perm: swapLast(b0.shape.length) }) : b0;
    const [M, K] = a.shape.slice(-2) as [number, number];
    const N = b.shape[b.shape.length - 1]!;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const outShape = [...outer, M, N];

    if (batchB === 1) {
      // One right operand for all batches: stack the batches' rows into one tall product.
      const r = mm(c.run('Reshape', { x: a }, { shape: [1, batchA * M, K] }), c.run('Reshape', { x: b }, { shape: [1, K, N] }));
      return c.finish(c.run('Reshape', { x: r }, { shape: outShape }));
    }
    if (batchA === 1) {
      // One left operand: lay the batches of b side by side as columns, then unfold.
      const bt = c.run('Transpose', { x: c.run('Reshape', { x: b }, { shape: [batchB, K, N] }) }, { perm: [1, 0, 2] });
      const r = mm(c.run('Reshape', { x: a }, { shape: [1, M, K] }), c.run('Reshape', { x: bt }, { shape: [1, K, batchB * N] }));
      const rt = c.run('Transpose', { x: c.run('Reshape', { x: r }, { shape: [M, batchB, N] }) }, { perm: [1, 0, 2] });
      return c.finish(c.run('Reshape', { x: rt }, { shape: outShape }));
    }
    return c.finish(c.temp(stock(args) as tf.TensorInfo)); // unreachable: handled above
  };
}

/** Sums a gradient over the batch dims its input was broadcast along, back to the input's shape. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (tf.util.arraysEqual(g.shape, shape)) return g;
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return (axes.length > 0 ? g.sum(axes) : g).reshape(shape);
}

/**
 * tfjs's BatchMatMul gradient, plus what it lacks: when batch dims broadcast ([2,4,M,K]·[K,N],
 * [2,1,M,K]·[1,3,K,N]) it returned gradients of the broadcast shape and the engine threw.
 */
export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const g = dy as tf.Tensor;
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(g, b, false, true);
      db = () => tf.matMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(g, b, false, false);
      db = () => tf.matMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, g, false, true);
      db = () => tf.matMul(a, g, false, false);
    } else {
      da = () => tf.matMul(b, g, true, true);
      db = () => tf.matMul(g, a, true, true);
    }
    return { a: () => unbroadcast(da(), a.shape), b: () => unbroadcast(db(), b.shape) };
  },
};

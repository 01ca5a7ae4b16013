// UnsortedSegmentSum, which wasm lacks; tf.gather's gradient (every embedding lookup) needs it.
// A plain loop over the wasm heap: memory-bound, so JS is as fast as a C kernel would be here.
import * as tf from '@tensorflow/tfjs';

interface HeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = args.attrs.numSegments as number;
  const backend = args.backend as HeapBackend;
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const inner = n === 0 ? 0 : tf.util.sizeFromShape(x.shape) / n;
  if (!Number.isInteger(inner)) throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] does not prefix x shape [${x.shape}]`);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue; // as TensorFlow: out-of-range ids are dropped
    const so = i * inner;
    const d0 = s * inner;
    for (let j = 0; j < inner; j++) dst[d0 + j] += src[so + j]!;
  }
  return out;
}

// For kernels the wasm backend lacks (depthwise-conv gradients) or gets wrong (its MaxPoolGrad,
// ResizeNearestNeighborGrad and ResizeBilinearGrad disagree with the cpu backend — found by
// op-grads.test.ts): copy the inputs to the cpu backend, run its kernel, copy the result back.
// These are memory-bound ops, cheap next to the convolutions around them, so the copies are fine.
import * as tf from '@tensorflow/tfjs';

interface WasmLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

export function cpuFallback(kernelName: string) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): tf.TensorInfo | tf.TensorInfo[] => {
    const cpu = tf.findBackend('cpu');
    const kernel = tf.getKernel(kernelName, 'cpu');
    if (!cpu || !kernel) throw new Error(`${kernelName}: no cpu kernel to fall back to`);
    const wasm = args.backend as WasmLike;
    const moved: tf.TensorInfo[] = [];
    const toCpu = (t: tf.TensorInfo): tf.TensorInfo => {
      const info = { dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      moved.push(info);
      return info;
    };
    const inputs = Array.isArray(args.inputs)
      ? (args.inputs as tf.TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(args.inputs).map(([k, t]) => [k, toCpu(t as tf.TensorInfo)]));
    try {
      const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: cpu, attrs: args.attrs });
      const back = (Array.isArray(out) ? out : [out]).map((o) => {
        const values = cpu.readSync(o.dataId);
        cpu.disposeData(o.dataId);
        return wasm.makeOutput(o.shape, o.dtype, undefined, values);
      });
      return Array.isArray(out) ? back : back[0]!;
    } finally {
      for (const m of moved) cpu.disposeData(m.dataId);
    }
  };
}

/** Kernels served this way on wasm. */
export const CPU_FALLBACK_KERNELS = [
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'MaxPoolGrad',
  'ResizeNearestNeighborGrad',
  'ResizeBilinearGrad',
] as const;

// Calling one backend's kernels from inside another kernel. A kernel receives and returns raw
// TensorInfos (no engine bookkeeping), so composite kernels call the backend's own kernel
// functions directly and free every intermediate themselves.
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;

export interface Composer {
  run(kernel: string, inputs: Record<string, TensorInfo>, attrs?: Attrs): TensorInfo;
  /** Like run, but the caller frees the result itself. */
  call(kernel: string, inputs: Record<string, TensorInfo>, attrs?: Attrs): TensorInfo;
  /** Marks an intermediate for disposal by `finish`. */
  temp(t: TensorInfo): TensorInfo;
  /** Frees every intermediate except `result` and returns it. */
  finish(result: TensorInfo): TensorInfo;
}

export function composer(backend: tf.KernelBackend, backendName: string): Composer {
  const temps: TensorInfo[] = [];
  const call = (kernel: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo => {
    const k = tf.getKernel(kernel, backendName);
    if (!k) throw new Error(`${backendName} backend has no ${kernel} kernel`);
    return k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
  };
  return {
    call,
    run(kernel, inputs, attrs = {}) {
      const out = call(kernel, inputs, attrs);
      temps.push(out);
      return out;
    },
    temp(t) {
      temps.push(t);
      return t;
    },
    finish(result) {
      for (const t of temps) if (t !== result) backend.disposeData(t.dataId);
      return result;
    },
  };
}

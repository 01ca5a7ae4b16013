// Gradient (and other) kernels the stock wasm backend lacks or runs slowly, registered once,
// right after the wasm backend module is imported and before training starts:
//   Conv2DBackpropFilter (missing), Conv2DBackpropInput (slow; also tf.conv2dTranspose's forward),
//   UnsortedSegmentSum (missing; gather/embedding gradients), Einsum (missing), BatchMatMul (slow
//   scalar loop for transposed operands — every matMul gradient — and for 3-D × 2-D products),
//   and via the cpu backend: depthwise-conv gradients (missing) and MaxPoolGrad /
//   ResizeNearestNeighborGrad / ResizeBilinearGrad (wrong results on wasm),
// plus, on every backend, a Conv2D gradient that supports dilations (tfjs's throws for them) and
// an Einsum gradient (tfjs has none) and a BatchMatMul gradient that handles broadcast batch dims.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, batchMatMulGradConfig } from './batch-matmul';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv-grads';
import { CPU_FALLBACK_KERNELS, cpuFallback } from './cpu-fallback';
import { conv2dGradConfig } from './dilated-conv-grad';
import { einsum, einsumGradConfig } from './einsum';
import { unsortedSegmentSum } from './segment-sum';

let registered = false;
const stock = new Map<string, tf.KernelConfig>();

function replaceKernel(config: tf.KernelConfig): void {
  const existing = tf.getKernel(config.kernelName, config.backendName);
  if (existing) {
    stock.set(config.kernelName, existing);
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** The wasm backend's own kernel that ours replaced (for the bench's before/after figures). */
export function stockWasmKernel(name: string): tf.KernelConfig | undefined {
  return stock.get(name);
}

/** Kernel names this module registers for the wasm backend (for tests and the bench). */
export const WASM_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum', 'Einsum', 'BatchMatMul', ...CPU_FALLBACK_KERNELS] as const;

export function registerWasmGradKernels(): void {
  if (registered) return;
  registered = true;
  const b = 'wasm';
  replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName: b, kernelFunc: conv2dBackpropFilter(b) as unknown as tf.KernelFunc });
  replaceKernel({ kernelName: 'Conv2DBackpropInput', backendName: b, kernelFunc: conv2dBackpropInput(b) as unknown as tf.KernelFunc });
  replaceKernel({ kernelName: 'UnsortedSegmentSum', backendName: b, kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
  replaceKernel({ kernelName: 'Einsum', backendName: b, kernelFunc: einsum(b) as unknown as tf.KernelFunc });
  const stockMatMul = tf.getKernel('BatchMatMul', b);
  if (stockMatMul) replaceKernel({ ...stockMatMul, kernelFunc: batchMatMul(stockMatMul.kernelFunc, b) as unknown as tf.KernelFunc });
  for (const name of CPU_FALLBACK_KERNELS) replaceKernel({ kernelName: name, backendName: b, kernelFunc: cpuFallback(name) as unknown as tf.KernelFunc });
  registerGradients();
}

let gradientsRegistered = false;

/** Backend-independent gradient fixes; called by initRuntime whichever backend is chosen. */
export function registerGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  for (const g of [conv2dGradConfig, einsumGradConfig, batchMatMulGradConfig]) {
    if (tf.getGradient(g.kernelName)) tf.unregisterGradient(g.kernelName);
    tf.registerGradient(g);
  }
}

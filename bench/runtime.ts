// `npm run bench:runtime`: the tensor runtime in one run — a small piano-roll U-Net's forward pass
// and training step (batch 16) on wasm (with our gradient kernels) and on the pure-JS cpu backend,
// their ratio, matMul GFLOP/s on both, and the conv-gradient kernels before/after our
// replacements. Writes bench/results/runtime.json with --write (else a temporary file it prints); the last line printed is one JSON object.
// Flags: --reps N (timed repetitions on wasm, default 10), --cpu-reps N (default 1: one cpu
// training step of this net takes minutes on a loaded 2-core machine), --cpu-kernels (also time
// the cpu backend's filter gradient of the reference conv; slow).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberFlag, parseArgs } from '../models/cli/args';
import { initRuntime, tf, type BackendName } from '../models/runtime/index';
import { stockWasmKernel } from '../models/runtime/kernels/index';
import { writeResult } from '../models/cli/result-file';

const { flags } = parseArgs(process.argv.slice(2));
const REPS = numberFlag(flags, 'reps') ?? 10;
const CPU_REPS = numberFlag(flags, 'cpu-reps') ?? 1;
const BATCH = 16;
const SHAPE = [32, 48, 4] as const; // 2 bars of 16ths × 48 pitches × 4 voices

/** Encoder 16→32→64 channels with stride-2 convs, decoder with stride-2 transposed convs and skips. */
function buildUNet(): tf.LayersModel {
  const inp = tf.input({ shape: [...SHAPE] });
  const conv = (x: tf.SymbolicTensor, f: number, s = 1) => tf.layers.conv2d({ filters: f, kernelSize: 3, strides: s, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const up = (x: tf.SymbolicTensor, f: number) => tf.layers.conv2dTranspose({ filters: f, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const cat = (a: tf.SymbolicTensor, b: tf.SymbolicTensor) => tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
  const e1 = conv(conv(inp, 16), 16);
  const e2 = conv(conv(e1, 32, 2), 32);
  const b = conv(conv(e2, 64, 2), 64);
  const d2 = conv(cat(up(b, 32), e2), 32);
  const d1 = conv(cat(up(d2, 16), e1), 16);
  const out = tf.layers.conv2d({ filters: SHAPE[2], kernelSize: 1, padding: 'same' }).apply(d1) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median ms of `fn` over `reps` runs after `warmup` untimed runs; fn must block until its result is read. */
function time(reps: number, fn: () => void, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

async function unetFigures(backend: BackendName, reps: number) {
  // The pure-JS backend has no compile/warm-up cost worth excluding, and each of its runs is long.
  const warmup = backend === 'cpu' ? 0 : 1;
  await initRuntime({ backend });
  const model = buildUNet();
  const opt = tf.train.adam(1e-3);
  const x = tf.tidy(() => tf.randomUniform([BATCH, ...SHAPE], 0, 1, 'float32', 1).greater(0.9).toFloat());
  const forward = time(reps, () => tf.tidy(() => void (model.predict(x) as tf.Tensor).dataSync()), warmup);
  const step = time(reps, () => {
    const loss = opt.minimize(() => tf.losses.sigmoidCrossEntropy(x, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    loss.dataSync();
    loss.dispose();
  }, warmup);
  const n = 512;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 3);
  const mm = time(Math.max(3, Math.min(reps, 5)), () => tf.tidy(() => void tf.matMul(a, b).dataSync()), warmup);
  const params = model.countParams();
  tf.dispose([x, a, b]);
  model.dispose();
  opt.dispose();
  return { forward_ms: forward, train_step_ms: step, matmul_512_ms: mm, matmul_gflops: (2 * n ** 3) / (mm * 1e6), params };
}

/** The guide's reference conv (16×128×32×32, 3×3×32×32): forward vs both gradients. */
async function convKernelFigures(reps: number, withCpu: boolean) {
  await initRuntime({ backend: 'wasm' });
  const x = tf.randomNormal([16, 128, 32, 32], 0, 1, 'float32', 4) as tf.Tensor4D;
  const f = tf.randomNormal([3, 3, 32, 32], 0, 1, 'float32', 5) as tf.Tensor4D;
  const dy = tf.randomNormal([16, 128, 32, 32], 0, 1, 'float32', 6) as tf.Tensor4D;
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const run = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) => () => {
    const t = tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
    t.dataSync();
    t.dispose();
  };
  const forward = time(reps, () => tf.tidy(() => void tf.conv2d(x, f, 1, 'same').dataSync()));
  const filterGrad = time(reps, run('Conv2DBackpropFilter', { x, dy }, { filterShape: [3, 3, 32, 32] }));
  const inputGrad = time(reps, run('Conv2DBackpropInput', { dy, filter: f }, { inputShape: [16, 128, 32, 32] }));
  // The stock wasm input-gradient kernel, called directly for comparison.
  const stock = stockWasmKernel('Conv2DBackpropInput');
  const backend = tf.backend();
  let stockInput = NaN;
  if (stock) {
    // Its setup (binding the wasm export) was skipped when ours replaced it before backend init.
    stock.setupFunc?.(backend);
    stockInput = time(Math.min(reps, 3), () => {
      const out = stock.kernelFunc({ inputs: { dy, filter: f }, backend, attrs: { ...attrs, inputShape: [16, 128, 32, 32] } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
      backend.readSync(out.dataId);
      backend.disposeData(out.dataId);
    });
  }
  let cpuFilterGrad = NaN;
  if (withCpu) {
    await initRuntime({ backend: 'cpu' });
    const [xc, dyc] = [x, dy].map((t) => tf.tensor(t.dataSync(), t.shape)) as tf.Tensor4D[];
    cpuFilterGrad = time(1, () => {
      const t = tf.engine().runKernel('Conv2DBackpropFilter', { x: xc!, dy: dyc! }, { ...attrs, filterShape: [3, 3, 32, 32] } as unknown as tf.NamedAttrMap) as tf.Tensor;
      t.dataSync();
      t.dispose();
    }, 0);
    tf.dispose([xc!, dyc!]);
    await initRuntime({ backend: 'wasm' });
  }
  tf.dispose([x, f, dy]);
  return {
    wasm_forward_ms: forward,
    wasm_filter_grad_ms: filterGrad,
    wasm_input_grad_ms: inputGrad,
    wasm_stock_input_grad_ms: stockInput,
    cpu_filter_grad_ms: cpuFilterGrad,
    input_grad_speedup_vs_stock: stockInput / inputGrad,
  };
}

const rt = await initRuntime({ backend: 'wasm' });
console.error(`bench:runtime — wasm simd=${rt.simd} threads=${rt.threads}; U-Net batch ${BATCH} × [${SHAPE}] (${REPS} wasm reps, ${CPU_REPS} cpu reps)`);
// wasm is timed before and after the (long) cpu phase and averaged, so a change in machine load
// during the run biases the ratio less.
const wasmBefore = await unetFigures('wasm', REPS);
console.error(`wasm: forward ${wasmBefore.forward_ms.toFixed(1)} ms, train step ${wasmBefore.train_step_ms.toFixed(1)} ms, matMul ${wasmBefore.matmul_gflops.toFixed(2)} GFLOP/s`);
const cpu = await unetFigures('cpu', CPU_REPS);
console.error(`cpu:  forward ${cpu.forward_ms.toFixed(1)} ms, train step ${cpu.train_step_ms.toFixed(1)} ms, matMul ${cpu.matmul_gflops.toFixed(2)} GFLOP/s`);
const wasmAfter = await unetFigures('wasm', REPS);
console.error(`wasm: forward ${wasmAfter.forward_ms.toFixed(1)} ms, train step ${wasmAfter.train_step_ms.toFixed(1)} ms, matMul ${wasmAfter.matmul_gflops.toFixed(2)} GFLOP/s (after cpu)`);
const avg = (k: 'forward_ms' | 'train_step_ms' | 'matmul_gflops') => (wasmBefore[k] + wasmAfter[k]) / 2;
const wasm = { forward_ms: avg('forward_ms'), train_step_ms: avg('train_step_ms'), matmul_gflops: avg('matmul_gflops'), params: wasmBefore.params };
const conv = await convKernelFigures(Math.min(REPS, 5), Boolean(flags['cpu-kernels']));
console.error(`conv 16×128×32×32 3×3×32×32 on wasm: forward ${conv.wasm_forward_ms.toFixed(1)} ms, filter grad ${conv.wasm_filter_grad_ms.toFixed(1)} ms (cpu ${Number.isNaN(conv.cpu_filter_grad_ms) ? 'not timed' : conv.cpu_filter_grad_ms.toFixed(0) + ' ms'}), input grad ${conv.wasm_input_grad_ms.toFixed(1)} ms (stock wasm ${conv.wasm_stock_input_grad_ms.toFixed(1)} ms)`);

const result = {
  bench: 'runtime',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadavg_1m_at_end: os.loadavg()[0],
  wasm_runs: { before_cpu: wasmBefore, after_cpu: wasmAfter },
  wasm_simd: rt.simd,
  wasm_threads: rt.threads,
  unet: { batch: BATCH, input: SHAPE, params: wasm.params },
  wasm_forward_ms: wasm.forward_ms,
  wasm_train_step_ms: wasm.train_step_ms,
  cpu_forward_ms: cpu.forward_ms,
  cpu_train_step_ms: cpu.train_step_ms,
  forward_speedup_wasm_vs_cpu: cpu.forward_ms / wasm.forward_ms,
  train_step_speedup_wasm_vs_cpu: cpu.train_step_ms / wasm.train_step_ms,
  matmul_512_gflops_wasm: wasm.matmul_gflops,
  matmul_512_gflops_cpu: cpu.matmul_gflops,
  conv_kernels: conv,
};
writeResult(path.join(path.dirname(new URL(import.meta.url).pathname), 'results', 'runtime.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));

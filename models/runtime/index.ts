// The one tensor runtime every model uses. tfjs-node (native libtensorflow) when it loads; else the
// WebAssembly backend with SIMD plus our own fast gradient kernels (the stock wasm backend lacks
// some and is slow at others, see ./kernels); else the pure-JS cpu backend. All models import `tf`
// from here so there is exactly one tfjs-core instance and one kernel registry in the process.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerGradients, registerWasmGradKernels } from './kernels/index';
import { readModelsEnv } from '../env';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface RuntimeOptions {
  /** Force one backend; default: env TUTTI_BACKEND, else the fastest that loads. */
  backend?: BackendName;
}

export interface Runtime {
  tf: typeof tf;
  backend: BackendName;
  /** wasm only: whether the SIMD build is in use. */
  simd: boolean;
  /** wasm only: worker threads in use (1 = single-threaded). */
  threads: number;
  /** Why a faster backend was not used, for logs and model cards. */
  notes: string[];
}

const require = createRequire(import.meta.url);
const loaded = new Set<BackendName>();
const notes: string[] = [];
let wasmInfo = { simd: false, threads: 1 };
let chain: Promise<unknown> = Promise.resolve();

async function loadTensorflow(): Promise<boolean> {
  try {
    // A string the bundler cannot see statically: the package is optional and absent here.
    const name = '@tensorflow/tfjs-node';
    require(name);
    return tf.findBackend('tensorflow') != null;
  } catch (e) {
    notes.push(`tfjs-node unavailable (${(e as Error).message.split('\n')[0]})`);
    return false;
  }
}

async function loadWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    // In Node the .wasm files are read from disk, never fetched; the map keeps all three variants local.
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': dist + 'tfjs-backend-wasm.wasm',
      'tfjs-backend-wasm-simd.wasm': dist + 'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm': dist + 'tfjs-backend-wasm-threaded-simd.wasm',
    });
    registerWasmGradKernels();
    const ok = await tf.setBackend('wasm');
    if (!ok) return false;
    await tf.ready();
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const mt = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    wasmInfo = { simd, threads: mt ? wasm.getThreadsCount() : 1 };
    if (!mt) notes.push('wasm threads unavailable in Node (the threaded build needs browser workers); single-threaded SIMD');
    return true;
  } catch (e) {
    notes.push(`wasm backend failed to load (${(e as Error).message.split('\n')[0]})`);
    return false;
  }
}

async function ensure(name: BackendName): Promise<boolean> {
  registerGradients();
  if (loaded.has(name)) return tf.setBackend(name);
  const ok = name === 'tensorflow' ? await loadTensorflow() : name === 'wasm' ? await loadWasm() : await tf.setBackend('cpu');
  if (ok) {
    loaded.add(name);
    await tf.setBackend(name);
    await tf.ready();
  }
  return ok;
}

function describe(backend: BackendName): Runtime {
  return { tf, backend, simd: backend === 'wasm' && wasmInfo.simd, threads: backend === 'wasm' ? wasmInfo.threads : 1, notes: [...notes] };
}

function envBackend(): BackendName | undefined {
  return readModelsEnv().TUTTI_BACKEND;
}

/**
 * Makes a backend active and returns which one. Idempotent and serialised: concurrent callers
 * share one initialisation. With no preference it keeps the backend already chosen, otherwise
 * tries tensorflow → wasm → cpu. A forced backend that cannot load is an error, not a fallback.
 */
export function initRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const run = async (): Promise<Runtime> => {
    const wanted = opts.backend ?? envBackend();
    if (wanted) {
      if (!(await ensure(wanted))) throw new Error(`backend "${wanted}" could not be loaded: ${notes.join('; ')}`);
      return describe(wanted);
    }
    const current = tf.getBackend() as BackendName;
    if (loaded.size > 0 && loaded.has(current)) return describe(current);
    for (const b of ['tensorflow', 'wasm', 'cpu'] as const) if (await ensure(b)) return describe(b);
    throw new Error(`no tfjs backend could be loaded: ${notes.join('; ')}`);
  };
  const p = chain.then(run, run);
  chain = p.catch(() => undefined);
  return p;
}

/** The active backend's name, after initRuntime. */
export function activeBackend(): BackendName {
  return tf.getBackend() as BackendName;
}

// Save / load a parameter set as a JSON manifest (config, names, shapes) plus one float32 binary.
// The generator's committed weights live in models/weights/gan/ and are located relative to this
// module, so loading works from any working directory and inside worker threads.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../runtime/index';
import { DEFAULT_CONFIG, validateConfig, type GanConfig } from './config';
import { toVariable, type Params } from './network';

export const WEIGHTS_DIR = fileURLToPath(new URL('../weights/gan/', import.meta.url));
const MANIFEST = 'manifest.json';
/** Sub-directory (of a training output and of the weights) holding the generator as it was at the end of pre-training, before any adversarial step. */
export const PRETRAINED_DIR = 'pretrained';

interface Manifest {
  format: 'tutti-gan-1';
  config: GanConfig;
  /** Free-form provenance (training step, seed…). */
  meta: Record<string, unknown>;
  tensors: Array<{ name: string; shape: number[]; offset: number; size: number }>;
  file: string;
}

export class GanWeightsMissingError extends Error {
  constructor(dir: string) {
    super(`GAN weights not found in ${dir} (expected ${MANIFEST} + .bin); train them with \`npm run train -- gan\``);
    this.name = 'GanWeightsMissingError';
  }
}

export async function saveParams(dir: string, prefix: string, params: Params, config: GanConfig, meta: Record<string, unknown> = {}): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const names = Object.keys(params).sort();
  const arrays = await Promise.all(names.map((n) => params[n]!.data() as Promise<Float32Array>));
  const total = arrays.reduce((a, x) => a + x.length, 0);
  const buf = new Float32Array(total);
  const tensors: Manifest['tensors'] = [];
  let off = 0;
  names.forEach((n, i) => {
    buf.set(arrays[i]!, off);
    tensors.push({ name: n, shape: params[n]!.shape, offset: off, size: arrays[i]!.length });
    off += arrays[i]!.length;
  });
  const file = `${prefix}.bin`;
  const manifest: Manifest = { format: 'tutti-gan-1', config, meta, tensors, file };
  fs.writeFileSync(path.join(dir, file), Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  fs.writeFileSync(path.join(dir, `${prefix}.json`), JSON.stringify(manifest, null, 1));
}

export interface LoadedParams {
  params: Params;
  config: GanConfig;
  meta: Record<string, unknown>;
}

/** Reads a parameter set written by saveParams; `trainable` false for inference-only variables. */
export function loadParams(dir: string, prefix: string, trainable = true): LoadedParams {
  const mf = path.join(dir, `${prefix}.json`);
  if (!fs.existsSync(mf)) throw new GanWeightsMissingError(dir);
  const manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest;
  if (manifest.format !== 'tutti-gan-1') throw new Error(`${mf}: unknown weights format ${String(manifest.format)}`);
  const bin = fs.readFileSync(path.join(dir, manifest.file));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const params: Params = {};
  for (const t of manifest.tensors) {
    if (t.offset + t.size > all.length) throw new Error(`${mf}: tensor ${t.name} runs past the end of ${manifest.file}`);
    params[t.name] = toVariable(all.subarray(t.offset, t.offset + t.size), t.shape, trainable, `${prefix}/${t.name}`);
  }
  // Fields added after a manifest was written take their defaults, except the architecture
  // switches, whose absence means the architecture of the time (independent voices, plain critic).
  const config = validateConfig({ ...DEFAULT_CONFIG, voiceHeads: false, criticPitchClasses: false, ...(manifest.config as Partial<GanConfig>) });
  return { params, config, meta: manifest.meta };
}

/** Copies loaded values into existing variables (resume). */
export function assignParams(target: Params, source: Params): void {
  for (const [n, v] of Object.entries(target)) {
    const s = source[n];
    if (!s) throw new Error(`checkpoint lacks tensor ${n}`);
    v.assign(s);
  }
}

export function disposeParams(p: Params): void {
  for (const v of Object.values(p)) v.dispose();
}

/** The committed generator: models/weights/gan/generator.{json,bin}. */
export function loadCommittedGenerator(): LoadedParams {
  return loadParams(WEIGHTS_DIR, 'generator', false);
}

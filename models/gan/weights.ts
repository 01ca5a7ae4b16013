// The GAN's networks in the one weight format (models/runtime/io.ts saveWeights): one directory
// per network, `<prefix>.json` + `<prefix>.bin` and `config.json` = { config: GanConfig, meta }
// (meta: free-form provenance — training step, seed, the decoder calibration, the critic's fit).
// models/weights/gan/ holds the generator, `pretrained/` the generator before the adversarial
// phase and `critic/` the critic the "how it works" view scores with. Located relative to this
// module, so loading works from any working directory and inside worker threads.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadTensors, readWeightsConfig, saveTensors, saveWeights as saveWeightSet, weightsExist } from '../runtime/io';
import { tf } from '../runtime/index';
import { DEFAULT_CONFIG, validateConfig, type GanConfig } from './config';
import { uniqueVariableName, type Params } from './network';

export const WEIGHTS_DIR = fileURLToPath(new URL('../weights/gan/', import.meta.url));
/** Sub-directory (of a training output and of the weights) holding the generator as it was at the end of pre-training, before any adversarial step. */
export const PRETRAINED_DIR = 'pretrained';
/** Sub-directory of the weights holding the critic fitted to the committed generator (./fit-critic.ts). */
export const CRITIC_DIR = 'critic';

/** What a GAN weights directory's config.json holds. */
export interface GanWeightsConfig {
  config: GanConfig;
  /** Free-form provenance (training step, seed…). */
  meta: Record<string, unknown>;
}

export class GanWeightsMissingError extends Error {
  constructor(dir: string, prefix = 'generator') {
    super(`GAN weights not found in ${dir} (expected ${prefix}.json, ${prefix}.bin, config.json); train them with \`npm run train -- gan\``);
    this.name = 'GanWeightsMissingError';
  }
}

/** Tensors in name order: the blob's layout since the first committed weights. */
function sorted(params: Params): Array<{ name: string; tensor: tf.Tensor }> {
  return Object.keys(params)
    .sort()
    .map((name) => ({ name, tensor: params[name]! }));
}

/** Saves one network as `<dir>/<prefix>.{json,bin}` and the directory's config.json. */
export async function saveWeights(dir: string, prefix: string, params: Params, config: GanConfig, meta: Record<string, unknown> = {}): Promise<void> {
  const record: GanWeightsConfig = { config, meta };
  await saveWeightSet(dir, prefix, sorted(params), record);
}

/** Saves a further tensor set (critic, optimiser state) next to a network saved by saveWeights, sharing its config.json. */
export async function saveWeightsBeside(dir: string, prefix: string, params: Params): Promise<void> {
  await saveTensors(dir, prefix, sorted(params));
}

export interface LoadedParams {
  params: Params;
  config: GanConfig;
  meta: Record<string, unknown>;
}

/** Reads a parameter set written by saveWeights or saveWeightsBeside; `trainable` false for inference-only variables. */
export function loadWeights(dir: string, prefix: string, trainable = true): LoadedParams {
  if (!weightsExist(dir, prefix)) throw new GanWeightsMissingError(dir, prefix);
  const record = readWeightsConfig(dir) as Partial<GanWeightsConfig>;
  const tensors = loadTensors(dir, prefix);
  const params: Params = {};
  for (const [name, t] of Object.entries(tensors)) {
    params[name] = tf.variable(t, trainable, uniqueVariableName(`${prefix}/${name}`));
    t.dispose();
  }
  // Fields added after a config was written take their defaults, except the architecture
  // switches, whose absence means the architecture of the time (independent voices, plain critic).
  const config = validateConfig({ ...DEFAULT_CONFIG, voiceHeads: false, criticPitchClasses: false, ...(record.config as Partial<GanConfig>) });
  return { params, config, meta: record.meta ?? {} };
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
  return loadWeights(WEIGHTS_DIR, 'generator', false);
}

/** The committed critic: models/weights/gan/critic/. */
export function loadCommittedCritic(): LoadedParams {
  return loadWeights(path.join(WEIGHTS_DIR, CRITIC_DIR), 'critic', false);
}

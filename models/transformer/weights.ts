// Saving and loading the transformer in the one weight format (models/runtime/io.ts saveWeights):
// `config.json` (the network's shape and training facts) next to `weights.json` + `weights.bin`
// (float32 tensors by name). The committed copy lives in
// models/weights/transformer/ and is located relative to this module, so it loads from any cwd and
// inside a worker thread.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTensors, readWeightsConfig, saveWeights as saveWeightSet, WEIGHTS_CONFIG_FILE, weightsExist } from '../runtime/io';
import { tf } from '../runtime/index';
import { transformerConfigSchema, type TransformerConfig } from './config';
import { paramShapes, variablePrefix, type Params } from './network';

export const WEIGHTS_DIR = fileURLToPath(new URL('../weights/transformer/', import.meta.url));
/** The ablation's absolute-position model, kept next to the committed one for `eval`. */
export const ABSOLUTE_DIR = path.join(WEIGHTS_DIR, 'absolute');

export class TransformerWeightsMissingError extends Error {
  constructor(readonly dir: string) {
    super(`transformer weights not found in ${dir}; run \`npm run train -- transformer\` (see models/weights/transformer/MODEL_CARD.md)`);
    this.name = 'TransformerWeightsMissingError';
  }
}

export async function saveWeights(dir: string, params: Params, cfg: TransformerConfig, extra: Record<string, unknown> = {}): Promise<void> {
  await saveWeightSet(dir, 'weights', params, { config: cfg, ...extra });
}

export function readConfig(dir: string): TransformerConfig {
  if (!fs.existsSync(path.join(dir, WEIGHTS_CONFIG_FILE))) throw new TransformerWeightsMissingError(dir);
  return transformerConfigSchema.parse((readWeightsConfig(dir) as { config: unknown }).config);
}

/** Loads a saved model as fresh variables (the caller disposes them). */
export function loadWeights(dir: string): { params: Params; cfg: TransformerConfig } {
  const cfg = readConfig(dir);
  if (!weightsExist(dir, 'weights')) throw new TransformerWeightsMissingError(dir);
  const tensors = loadTensors(dir, 'weights');
  const params: Params = {};
  const prefix = variablePrefix();
  try {
    for (const [name, shape] of paramShapes(cfg)) {
      const t = tensors[name];
      if (!t) throw new Error(`${dir} lacks tensor "${name}"`);
      if (!tf.util.arraysEqual(t.shape, shape)) throw new Error(`tensor "${name}" has shape [${t.shape}], config wants [${shape}]`);
      params[name] = tf.variable(t, false, `${prefix}/${name}`);
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return { params, cfg };
}

/** Which architecture a weights directory holds: 'melody-encoder' (config.arch) or the decoder-only 'decoder'. */
export function readArch(dir: string): 'melody-encoder' | 'decoder' {
  if (!fs.existsSync(path.join(dir, WEIGHTS_CONFIG_FILE))) throw new TransformerWeightsMissingError(dir);
  const cfg = (readWeightsConfig(dir) as { config?: { arch?: unknown } }).config;
  return cfg?.arch === 'melody-encoder' ? 'melody-encoder' : 'decoder';
}

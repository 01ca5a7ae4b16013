// Saving and loading the melody-encoder model: `config.json` ({ config: { arch: 'melody-encoder',
// … }, training facts }) next to `weights.json` + `weights.bin`, the same layout as the decoder-only
// model's (the one weight format, models/runtime/io.ts saveWeights), told apart by `config.arch`
// (see weights.ts `readArch`).
import fs from 'node:fs';
import path from 'node:path';
import { loadTensors, readWeightsConfig, saveWeights, WEIGHTS_CONFIG_FILE, weightsExist } from '../runtime/io';
import { tf } from '../runtime/index';
import { melodyConfigSchema, type MelodyConfig } from './mel-config';
import { melodyParamShapes, type Params } from './mel-network';
import { variablePrefix } from './network';
import { TransformerWeightsMissingError } from './weights';

export interface MelodyModel {
  params: Params;
  cfg: MelodyConfig;
}

export async function saveMelodyModel(dir: string, params: Params, cfg: MelodyConfig, extra: Record<string, unknown> = {}): Promise<void> {
  await saveWeights(dir, 'weights', params, { config: cfg, ...extra });
}

export function readMelodyConfig(dir: string): MelodyConfig {
  if (!fs.existsSync(path.join(dir, WEIGHTS_CONFIG_FILE))) throw new TransformerWeightsMissingError(dir);
  return melodyConfigSchema.parse((readWeightsConfig(dir) as { config: unknown }).config);
}

/** Loads a saved melody-encoder model as fresh variables (the caller disposes them). */
export function loadMelodyModel(dir: string): MelodyModel {
  const cfg = readMelodyConfig(dir);
  if (!weightsExist(dir, 'weights')) throw new TransformerWeightsMissingError(dir);
  const tensors = loadTensors(dir, 'weights');
  const params: Params = {};
  const prefix = variablePrefix();
  try {
    for (const [name, shape] of melodyParamShapes(cfg)) {
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

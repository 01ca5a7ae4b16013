// Saving and loading the melody-encoder model: `config.json` ({ config: { arch: 'melody-encoder',
// … }, training facts }) next to `weights.json` + `weights.bin`, the same layout as the decoder-only
// model's, told apart by `config.arch` (see weights.ts `readArch`).
import fs from 'node:fs';
import path from 'node:path';
import { loadTensors, saveTensors } from '../runtime/io';
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
  fs.mkdirSync(dir, { recursive: true });
  await saveTensors(dir, 'weights', params);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ config: cfg, ...extra }, null, 1));
}

export function readMelodyConfig(dir: string): MelodyConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new TransformerWeightsMissingError(dir);
  return melodyConfigSchema.parse((JSON.parse(fs.readFileSync(file, 'utf8')) as { config: unknown }).config);
}

/** Loads a saved melody-encoder model as fresh variables (the caller disposes them). */
export function loadMelodyModel(dir: string): MelodyModel {
  const cfg = readMelodyConfig(dir);
  if (!fs.existsSync(path.join(dir, 'weights.json'))) throw new TransformerWeightsMissingError(dir);
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

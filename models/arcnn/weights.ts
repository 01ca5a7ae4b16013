// Saving and loading the AR-CNN's weights: `<dir>/arcnn.json` (tensor specs) + `arcnn.bin`
// (float32) + `config.json` (architecture and provenance). The committed weights are found
// relative to this module, so loading works from any cwd and inside a worker thread.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadTensors, saveTensors } from '../runtime/io';
import { tf } from '../runtime/index';
import { layerShapes, type ArcnnNet } from './network';
import type { NetConfig } from './config';

export const WEIGHTS_DIR = fileURLToPath(new URL('../weights/arcnn/', import.meta.url));
const NAME = 'arcnn';

const configSchema = z.object({
  model: z.literal('arcnn'),
  widths: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  globalPitch: z.number().int().nonnegative().default(0),
  pcProfile: z.boolean().default(false),
  stepChroma: z.boolean().default(false),
  trainedSteps: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type WeightsConfig = z.infer<typeof configSchema>;

export class ArcnnWeightsMissingError extends Error {
  constructor(dir: string) {
    super(`AR-CNN weights not found in ${dir} (expected arcnn.json, arcnn.bin, config.json); train them with \`npm run train -- arcnn\``);
    this.name = 'ArcnnWeightsMissingError';
  }
}

export async function saveWeights(net: ArcnnNet, dir: string, info: { trainedSteps: number; seed: number }): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await saveTensors(dir, NAME, Object.fromEntries(net.vars));
  const cfg: WeightsConfig = { model: 'arcnn', widths: net.config.widths, globalPitch: net.config.globalPitch, pcProfile: net.config.pcProfile, stepChroma: net.config.stepChroma === true, ...info };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1) + '\n');
}

export function weightsExist(dir = WEIGHTS_DIR): boolean {
  return ['arcnn.json', 'arcnn.bin', 'config.json'].every((f) => fs.existsSync(path.join(dir, f)));
}

/** A net built from saved weights (not trainable: inference only). */
export function loadWeights(dir = WEIGHTS_DIR): { net: ArcnnNet; info: WeightsConfig } {
  if (!weightsExist(dir)) throw new ArcnnWeightsMissingError(dir);
  const info = configSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const config: NetConfig = { widths: info.widths, globalPitch: info.globalPitch, pcProfile: info.pcProfile, stepChroma: info.stepChroma };
  const tensors = loadTensors(dir, NAME);
  const vars = new Map<string, tf.Variable>();
  try {
    for (const [name, shape] of layerShapes(config)) {
      const t = tensors[name];
      if (!t || !tf.util.arraysEqual(t.shape, shape)) throw new Error(`AR-CNN weights in ${dir}: "${name}" is missing or has the wrong shape`);
      vars.set(name, tf.variable(t, false));
    }
  } catch (e) {
    for (const v of vars.values()) v.dispose();
    throw e;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return { net: { config, vars }, info };
}

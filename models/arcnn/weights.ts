// Saving and loading the AR-CNN's weights in the one weight format (models/runtime/io.ts
// saveWeights): `<dir>/arcnn.json` (tensor specs) + `arcnn.bin` (float32) + `config.json`
// (architecture and provenance). The committed weights are found
// relative to this module, so loading works from any cwd and inside a worker thread.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadWeights as loadWeightSet, saveWeights as saveWeightSet, weightsExist as weightSetExists } from '../runtime/io';
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
  const cfg: WeightsConfig = {
    model: 'arcnn',
    widths: net.config.widths,
    globalPitch: net.config.globalPitch,
    pcProfile: net.config.pcProfile,
    stepChroma: net.config.stepChroma === true,
    ...info,
  };
  await saveWeightSet(dir, NAME, Object.fromEntries(net.vars), cfg);
}

export function weightsExist(dir = WEIGHTS_DIR): boolean {
  return weightSetExists(dir, NAME);
}

/** A net built from saved weights (not trainable: inference only). */
export function loadWeights(dir = WEIGHTS_DIR): { net: ArcnnNet; info: WeightsConfig } {
  if (!weightsExist(dir)) throw new ArcnnWeightsMissingError(dir);
  const set = loadWeightSet(dir, NAME);
  const tensors = set.tensors;
  const parsed = configSchema.safeParse(set.config);
  if (!parsed.success) {
    for (const t of Object.values(tensors)) t.dispose();
    throw parsed.error;
  }
  const info = parsed.data;
  const config: NetConfig = { widths: info.widths, globalPitch: info.globalPitch, pcProfile: info.pcProfile, stepChroma: info.stepChroma };
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

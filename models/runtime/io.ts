// Saving and loading tensors on the local disk. tfjs's own file:// handler ships only with
// tfjs-node, which does not load here, so weights are written as a small JSON manifest plus one
// little-endian binary blob — the same layout as tfjs's model.json + weights.bin, so committed
// weights stay readable by stock tfjs tooling. Every model's trained weights use the one format
// of saveWeights/loadWeights below; checkpoints use saveTensors/saveVariables/saveOptimizer.
import fs from 'node:fs';
import path from 'node:path';
import { tf } from './index';

type NamedTensor = { name: string; tensor: tf.Tensor };

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function toBytes(data: tf.io.WeightData): Uint8Array {
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data as ArrayBuffer | ArrayBuffer[]));
}

function bufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Writes `<dir>/<name>.json` (weight specs) and `<dir>/<name>.bin`. */
export async function saveTensors(dir: string, name: string, tensors: Record<string, tf.Tensor> | NamedTensor[]): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const list = Array.isArray(tensors) ? tensors : Object.entries(tensors).map(([n, t]) => ({ name: n, tensor: t }));
  const { data, specs } = await tf.io.encodeWeights(list);
  writeAtomic(path.join(dir, `${name}.bin`), toBytes(data));
  writeAtomic(path.join(dir, `${name}.json`), JSON.stringify({ format: 'tutti-tensors', version: 1, specs }, null, 1));
}

/** Reads tensors written by saveTensors; the caller owns (and disposes) them. */
export function loadTensors(dir: string, name: string): Record<string, tf.Tensor> {
  const manifestFile = path.join(dir, `${name}.json`);
  if (!fs.existsSync(manifestFile)) throw new Error(`no tensors at ${manifestFile}`);
  const { specs } = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { specs: tf.io.WeightsManifestEntry[] };
  return tf.io.decodeWeights(bufferOf(fs.readFileSync(path.join(dir, `${name}.bin`))), specs) as Record<string, tf.Tensor>;
}

/** Each weights directory's record of its network: architecture and provenance, model-specific (each model validates it with its own schema). */
export const WEIGHTS_CONFIG_FILE = 'config.json';

/**
 * The one weight format of every model (models/weights/<model>/ and anything `train` exports): one
 * directory per trained network holding `<name>.json` + `<name>.bin` (saveTensors) and
 * `config.json` (WEIGHTS_CONFIG_FILE). Tensors are written in the order given.
 */
export async function saveWeights(dir: string, name: string, tensors: Record<string, tf.Tensor> | NamedTensor[], config: unknown): Promise<void> {
  await saveTensors(dir, name, tensors);
  writeAtomic(path.join(dir, WEIGHTS_CONFIG_FILE), `${JSON.stringify(config, null, 1)}\n`);
}

/** True when `dir` holds a weight set `name` saved by saveWeights (manifest, blob and config). */
export function weightsExist(dir: string, name: string): boolean {
  return [`${name}.json`, `${name}.bin`, WEIGHTS_CONFIG_FILE].every((f) => fs.existsSync(path.join(dir, f)));
}

/** The parsed config.json of a weights directory, unvalidated (the model's schema does that). */
export function readWeightsConfig(dir: string): unknown {
  const file = path.join(dir, WEIGHTS_CONFIG_FILE);
  if (!fs.existsSync(file)) throw new Error(`no ${WEIGHTS_CONFIG_FILE} in ${dir}`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Reads a weight set written by saveWeights; the caller owns (and disposes) the tensors. */
export function loadWeights(dir: string, name: string): { tensors: Record<string, tf.Tensor>; config: unknown } {
  const config = readWeightsConfig(dir);
  return { tensors: loadTensors(dir, name), config };
}

/** Saves a tf.LayersModel as `<dir>/model.json` + `<dir>/weights.bin` (tfjs layers format). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined) throw new Error('model has no weights to save');
      writeAtomic(path.join(dir, 'weights.bin'), toBytes(artifacts.weightData));
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads a model written by saveLayersModel (or by tfjs's converter with one weights file). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new Error(`no model at ${file}`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bins = json.weightsManifest.flatMap((g) => g.paths).map((p) => bufferOf(fs.readFileSync(path.join(dir, p))));
  const weightData = tf.io.CompositeArrayBuffer.join(bins);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

/** Optimizer slots (Adam moments, iteration count) so a resumed run continues exactly. */
export async function saveOptimizer(optimizer: tf.Optimizer, dir: string, name = 'optimizer'): Promise<void> {
  const weights = await optimizer.getWeights();
  await saveTensors(dir, name, weights);
}

export async function loadOptimizer(optimizer: tf.Optimizer, dir: string, name = 'optimizer'): Promise<void> {
  const tensors = loadTensors(dir, name);
  await optimizer.setWeights(Object.entries(tensors).map(([n, tensor]) => ({ name: n, tensor })));
}

/** Saves plain variables (models built from raw tf ops rather than tf.layers). */
export async function saveVariables(dir: string, name: string, vars: Record<string, tf.Variable>): Promise<void> {
  await saveTensors(dir, name, vars);
}

/** Assigns saved values into existing variables; shape mismatches and missing names throw. */
export function loadVariables(dir: string, name: string, vars: Record<string, tf.Variable>): void {
  const tensors = loadTensors(dir, name);
  try {
    for (const [n, v] of Object.entries(vars)) {
      const t = tensors[n];
      if (!t) throw new Error(`checkpoint ${path.join(dir, name)} has no variable "${n}"`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) throw new Error(`variable "${n}": checkpoint shape [${t.shape}] ≠ model shape [${v.shape}]`);
      v.assign(t);
    }
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

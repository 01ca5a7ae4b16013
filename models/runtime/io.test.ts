// The one weight format (saveWeights/loadWeights): a network round-trips exactly, with its
// config.json, and a directory missing any of the three files is not a weight set. The GAN's
// saver keeps its tensors in name order, the layout of its committed blobs before the format
// was shared (issue 14), so they load unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWeights as loadGanWeights, saveWeights as saveGanWeights } from '../gan/weights';
import { DEFAULT_CONFIG } from '../gan/config';
import { initRuntime, tf } from './index';
import { loadTensors, loadWeights, readWeightsConfig, saveWeights, weightsExist } from './io';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-io-'));
beforeAll(() => initRuntime());
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the one weight format', () => {
  it('round-trips tensors and config, and needs all three files', async () => {
    const a = tf.tensor2d([
      [1.5, -2],
      [3, 0.25],
    ]);
    const b = tf.tensor1d([7, 8, 9]);
    await saveWeights(dir, 'net', { a, b }, { widths: [1, 2], seed: 3 });
    expect(weightsExist(dir, 'net')).toBe(true);
    const { tensors, config } = loadWeights(dir, 'net');
    expect(config).toEqual({ widths: [1, 2], seed: 3 });
    expect(tensors.a!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.a!.dataSync())).toEqual([1.5, -2, 3, 0.25]);
    expect(Array.from(tensors.b!.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([a, b, ...Object.values(tensors)]);
    fs.rmSync(path.join(dir, 'config.json'));
    expect(weightsExist(dir, 'net')).toBe(false);
    expect(() => readWeightsConfig(dir)).toThrow(/no config\.json/);
  });

  it('stores the GAN’s parameters in name order with its config and provenance', async () => {
    const sub = path.join(dir, 'gan');
    const params = { 'z/w': tf.variable(tf.tensor1d([1, 2])), 'a/b': tf.variable(tf.tensor1d([3])) };
    await saveGanWeights(sub, 'generator', params, DEFAULT_CONFIG, { step: 5 });
    const raw = loadTensors(sub, 'generator');
    expect(Object.keys(raw)).toEqual(['a/b', 'z/w']);
    expect(Array.from(new Float32Array(Uint8Array.from(fs.readFileSync(path.join(sub, 'generator.bin'))).buffer))).toEqual([3, 1, 2]);
    const back = loadGanWeights(sub, 'generator', false);
    expect(back.meta).toEqual({ step: 5 });
    expect(back.config).toEqual(DEFAULT_CONFIG);
    expect(Array.from(back.params['z/w']!.dataSync())).toEqual([1, 2]);
    tf.dispose([...Object.values(params), ...Object.values(raw), ...Object.values(back.params)]);
  });
});

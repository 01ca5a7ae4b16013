// The models page's parameter count (app/models/load.ts) on a folder laid out as models/runtime/io.ts
// writes one: <name>.json (the tensor manifest) + <name>.bin, and config.json (architecture and
// provenance) beside it; the GAN's critic in its own subfolder with its own config.json. The count is
// the generating network's: never the critic's (a subfolder), never config.json, which sorts before
// generator.json and is not a manifest even when it records tensor shapes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '@/app/models/load';

const manifest = (shapes: number[][]) => ({
  format: 'tutti-tensors',
  version: 1,
  specs: shapes.map((shape, i) => ({ name: `t${i}`, shape, dtype: 'float32' })),
});

describe('models page parameter count on a weights folder with a config and a critic', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-weights-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sums the generator’s manifest, not config.json nor the critic in gan/critic/', () => {
    const gan = path.join(root, 'gan');
    fs.mkdirSync(path.join(gan, 'critic'), { recursive: true });
    fs.writeFileSync(path.join(gan, 'generator.json'), JSON.stringify(manifest([[3, 4], [4]]))); // 16
    // A config that records the shapes it was built with: still the config, not the weights.
    fs.writeFileSync(path.join(gan, 'config.json'), JSON.stringify({ config: { noiseDim: 16 }, ...manifest([[1000, 1000]]) }));
    fs.writeFileSync(path.join(gan, 'critic', 'critic.json'), JSON.stringify(manifest([[500, 500]])));
    fs.writeFileSync(path.join(gan, 'critic', 'config.json'), JSON.stringify({ config: { noiseDim: 16 } }));

    const m = loadModel('gan', root);
    expect(m.facts.parametersFrom).toBe('generator.json');
    expect(m.facts.parameters).toBe(16);
  });
});

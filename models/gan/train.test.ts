// A tiny WGAN-GP run on real JSB windows: a few harness steps change the generator and the
// critic, every logged term is finite, the training view's curves are drawn, and a checkpoint
// saved and loaded reproduces the generator's output exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJsb } from '../data/jsb';
import { requireJsbForTests } from '../data/require-jsb';
import { initRuntime, tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { TINY_CONFIG } from './config';
import { CURVE_FILES } from './curves';
import { accompanyLines } from './sampler';
import { createGanLoop, validationWindows, type GanLoop } from './train';

const hasJsb = requireJsbForTests('GAN training');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-gan-'));
const loops: GanLoop[] = [];

beforeAll(async () => {
  await initRuntime();
});
afterAll(() => {
  loops.forEach((l) => l.dispose());
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasJsb)('GAN training (tiny config)', () => {
  it('a few steps change the generator and critic, log finite terms and draw the curves', async () => {
    const data = loadJsb();
    const validation = validationWindows(data.valid, TINY_CONFIG.chunkSteps, 4);
    const loop = createGanLoop(TINY_CONFIG, data.train, 3, { validation, outDir: dir });
    loops.push(loop);
    const g0 = loop.G['g/v0/out/w']!.dataSync().slice();
    const d0 = loop.D['d/step/w']!.dataSync().slice();
    const rng = createRng(3);
    // Phases: CE warm-up, critic warm-up, then adversarial steps.
    const { pretrainSteps: pre, criticWarmupSteps: warm } = TINY_CONFIG;
    for (let step = 0; step < pre + warm + 2; step++) {
      const m = await loop.step({ step, rng });
      const expected = step < pre ? ['ce'] : step < pre + warm ? ['d_loss', 'wasserstein', 'gp'] : ['d_loss', 'wasserstein', 'gp', 'g_loss', 'g_adv', 'ce'];
      for (const k of expected) expect(Number.isFinite(m[k]), `${k} at step ${step}`).toBe(true);
      if (step >= pre) expect(m.gp).toBeGreaterThanOrEqual(0);
    }
    const changedG = loop.G['g/v0/out/w']!.dataSync().some((v, i) => v !== g0[i]);
    const changedD = loop.D['d/step/w']!.dataSync().some((v, i) => v !== d0[i]);
    expect(changedG).toBe(true);
    expect(changedD).toBe(true);
    const v = await loop.validate!({ step: 3 });
    for (const k of ['QN', 'EB', 'UPC', 'data_QN', 'data_EB', 'data_UPC', 'ce']) expect(Number.isFinite(v[k]), k).toBe(true);
    for (const f of CURVE_FILES) expect(fs.readFileSync(path.join(dir, f), 'utf8')).toContain('<svg');
  });

  it('save → load into a fresh loop reproduces the generator exactly', async () => {
    const data = loadJsb();
    const validation = validationWindows(data.valid, TINY_CONFIG.chunkSteps, 2);
    const a = loops[0]!;
    await a.save(path.join(dir, 'ckpt'));
    const b = createGanLoop(TINY_CONFIG, data.train, 99, { validation });
    loops.push(b);
    await b.load(path.join(dir, 'ckpt'));
    const melody = validation[0]!.map((s) => s[0]!);
    const before = tf.memory().numTensors;
    expect(accompanyLines(b.G, b.config, [melody], { seed: 5 })).toEqual(accompanyLines(a.G, a.config, [melody], { seed: 5 }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

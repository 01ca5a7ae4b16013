// The /models page's loader (app/models/load.ts) on the committed files in models/weights: every
// model of the AI contract has its card, at least one curve drawn from its training log, and every
// harmony key either with Bach's twin or explicitly "not measured". Then a half-written eval file
// (what a retraining run can leave for a moment) becomes a listed problem, not a thrown error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES } from '@/lib/ai/contract';
import { HARMONY_FIGURES } from '@/app/models/figures';
import { loadModel, loadModelStudio, weightsDir } from '@/app/models/load';

const BRIEF_KEYS = ['parallels_per_bar', 'onset_consonance', 'bass_consonance', 'chord_at_onsets', 'share_16th', 'above_melody', 'in_key'];

describe('models page loader on models/weights', () => {
  const models = loadModelStudio();

  it('reads the real weights directory', () => {
    expect(fs.existsSync(path.join(weightsDir(), 'gan', 'MODEL_CARD.md'))).toBe(true);
    expect(models.map((m) => m.name)).toEqual([...MODEL_NAMES]);
  });

  it.each(MODEL_NAMES)('%s: card with data, architecture, training and limits; parameters; training command', (name) => {
    const m = models.find((x) => x.name === name)!;
    expect(m.card, m.problems.join('; ')).not.toBeNull();
    expect(m.card!.title.length).toBeGreaterThan(0);
    for (const part of ['data', 'architecture', 'training', 'limits'] as const)
      expect(m.card![part]?.body.trim().length, `${name} ${part}`).toBeGreaterThan(20);
    expect(m.facts.parameters).toBeGreaterThan(10_000);
    expect(m.facts.trainCommand).toMatch(new RegExp(`^npm run train -- ${name}\\b`));
    expect(m.facts.trainSeconds).toBeGreaterThan(0);
  });

  it.each(MODEL_NAMES)('%s: a loss curve with train and valid points from train-log.json', (name) => {
    const m = models.find((x) => x.name === name)!;
    const loss = m.charts.find((c) => c.id === `${name}-loss`);
    expect(loss, m.problems.join('; ')).toBeDefined();
    for (const key of loss!.series.map((s) => s.key)) {
      const values = loss!.rows.map((r) => r[key]).filter((v) => typeof v === 'number');
      expect(values.length, `${name} ${key}`).toBeGreaterThanOrEqual(2);
    }
    expect(loss!.series.some((s) => s.key === 'valid_loss')).toBe(true);
    // Steps ascend: the chart's x axis.
    const steps = loss!.rows.map((r) => r.step!);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it.each(MODEL_NAMES)('%s: every harmony key with Bach’s twin, or an explicit "not measured"', (name) => {
    const m = models.find((x) => x.name === name)!;
    if (m.harmony === null) {
      expect(m.harmonyNotMeasured).toMatch(/^not measured: /);
      return;
    }
    expect(m.harmonyNotMeasured).toBeNull();
    const keys = m.harmony.rows.map((r) => r.key);
    for (const k of BRIEF_KEYS) expect(keys).toContain(k);
    expect(keys).toEqual(HARMONY_FIGURES.map((f) => f.key));
    // Each figure is the file's number or null (shown as "not measured"), never invented.
    for (const r of m.harmony.rows) for (const v of [r.model, r.bach, r.unconstrained]) expect(v === null || Number.isFinite(v)).toBe(true);
    // The committed evals measure Bach on the same chorales: his twin is there for every key the model has.
    for (const r of m.harmony.rows) if (r.model !== null) expect(r.bach, `${name} bach_${r.key}`).not.toBeNull();
  });
});

describe('models page loader on a broken folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-weights-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a half-written eval JSON and a missing log become problems on that model, the card still loads', () => {
    fs.mkdirSync(path.join(dir, 'gan'));
    fs.copyFileSync(path.join(weightsDir(), 'gan', 'MODEL_CARD.md'), path.join(dir, 'gan', 'MODEL_CARD.md'));
    fs.writeFileSync(path.join(dir, 'gan', 'eval-results.json'), '{"model":"gan","parallels_per_bar":0,"bach_');
    const m = loadModel('gan', dir);
    expect(m.card?.limits).not.toBeNull();
    expect(m.problems.join('\n')).toMatch(/eval-results\.json is not valid JSON/);
    expect(m.problems.join('\n')).toMatch(/train-log\.json is missing/);
    expect(m.charts).toEqual([]);
    expect(m.harmony).toBeNull();
    expect(m.harmonyNotMeasured).toMatch(/no eval JSON/);
    // A model whose folder is absent: listed, not thrown.
    expect(loadModel('arcnn', dir).problems.join('\n')).toMatch(/does not exist/);
  });
});

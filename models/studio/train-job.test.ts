// The studio's training path for the two families the server test does not train (it trains the
// AR-CNN): a tiny GAN and a tiny transformer on a generated 3-piece collection (no JSB data
// needed), through each model's own trainer; the points of the curve arrive, the exported weights
// load as a generator, and the card describes the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressPoint } from '../../lib/ai/studio';
import { midiToScore } from '../../lib/midi';
import { Midi } from '../../lib/midi/tonejs';
import { scoreToVoices, splitCollection, writeDataset } from './dataset';
import { runStudioTraining } from './train-job';

function tune(key: number): Uint8Array {
  const midi = new Midi();
  const mel = midi.addTrack();
  for (let i = 0; i < 32; i++) mel.addNote({ midi: 72 + key + [0, 2, 4, 5, 7, 9, 11, 12][(i * 3) % 8]!, ticks: i * 480, durationTicks: 480 });
  const bass = midi.addTrack();
  for (let i = 0; i < 16; i++) bass.addNote({ midi: 48 + key + [0, 7, 5, 7][i % 4]!, ticks: i * 960, durationTicks: 960 });
  return midi.toArray();
}

describe('model studio training (tiny, on an uploaded-style collection)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-train-'));
  const data = path.join(root, 'data');
  const split = splitCollection([0, 7, 5].map((k) => scoreToVoices(midiToScore(tune(k)))));
  writeDataset(data, split);

  it('splits the collection into train and a held-out valid part, no test', () => {
    expect([split.train.length, split.valid.length, split.test.length]).toEqual([2, 1, 0]);
    expect(split.train[0]![0]).toEqual([72, -1, -1, 48]);
  });

  for (const family of ['gan', 'transformer'] as const) {
    it(`${family}: trains, streams points, exports weights that load, writes a card`, async () => {
      const points: ProgressPoint[] = [];
      const checkpoints: number[] = [];
      const dir = path.join(root, family);
      const before = process.env.TUTTI_JSB_DIR;
      const r = await runStudioTraining(
        {
          family,
          name: 'tiny-test',
          owner: 'test',
          dataDescription: 'three generated tunes',
          settings: { steps: 6, size: 'tiny', learningRate: family === 'gan' ? 2e-4 : 1.5e-3, batch: 2, seed: 3 },
          dataDir: data,
          workDir: path.join(dir, 'work'),
          weightsDir: path.join(dir, 'weights'),
          priorElapsedMs: 0,
          priorPoints: [],
          createdAt: '2026-12-01T00:00:00.000Z',
        },
        { point: (p) => points.push(p), checkpoint: (s) => checkpoints.push(s) },
      );
      expect(process.env.TUTTI_JSB_DIR).toBe(before);
      expect(r.completedSteps).toBe(6);
      expect(points[0]!.step).toBe(1);
      expect(points.at(-1)!.step).toBe(6);
      expect(points.some((p) => p.valid !== null && Number.isFinite(p.valid))).toBe(true);
      expect(checkpoints.at(-1)).toBe(6);
      expect(Number.isFinite(r.metrics.loss)).toBe(true);
      expect(r.weightsBytes).toBeGreaterThan(1000);
      expect(r.card).toMatch(family === 'gan' ? /^# GAN · tiny-test/ : /^# Transformer · tiny-test/);
      expect(r.card).toContain('three generated tunes');
    });
  }
});

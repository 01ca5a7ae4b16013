// Chooses the decoder's note-change penalty on the VALIDATION split: the value whose accompaniments
// come closest to the real validation chorales' QN / EB / UPC (in units of the issue's tolerances).
// The test split is never looked at. Run after training, before publishing:
//   npx tsx models/gan/calibrate.ts [--dir models/weights/gan] [--write]
import fs from 'node:fs';
import path from 'node:path';
import { loadJsb, type Chorale } from '../data/jsb';
import { initRuntime } from '../runtime/index';
import { parseArgs } from '../cli/args';
import { NUM_CLASSES, type GanConfig } from './config';
import { rhythmPrior } from './decode';
import type { Params } from './network';
import { chorusQuality, type Quality } from './quality';
import { decodeLogits, melodyLogits } from './sampler';
import { createRng } from '../runtime/rng';
import { disposeParams, loadParams, WEIGHTS_DIR } from './weights';

export const PENALTIES = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5];
export const TEMPERATURES = [0, 0.5, 0.75, 1];

export function gapOf(s: Quality, d: Quality): number {
  return (Math.abs(s.QN - d.QN) / 5 + Math.abs(s.EB - d.EB) / 5 + Math.abs(s.UPC - d.UPC) / 0.5) / 3;
}

export interface SweepRow {
  penalty: number;
  temperature: number;
  q: Quality;
  gap: number;
}

export function sweep(params: Params, config: GanConfig, chorales: readonly Chorale[], penalties = PENALTIES, temperatures = TEMPERATURES): SweepRow[] {
  const data = chorusQuality(chorales);
  const rows: SweepRow[] = [];
  // One forward pass per chorale; every decoder setting reuses its logits (same noise, fresh draws).
  const logits = chorales.map((ch, i) => melodyLogits(params, config, [ch.map((s) => s[0]!)], 1 + i));
  for (const temperature of temperatures)
    for (const penalty of penalties) {
      const gen = chorales.map((ch, i) => {
        const l = logits[i]!;
        const v = decodeLogits({ ...l, rng: createRng(1000 + i) }, config, { penalty, temperature })[0]!;
        return ch.map((s, t) => [s[0]!, v[0]![t]!, v[1]![t]!, v[2]![t]!]);
      });
      const q = chorusQuality(gen);
      rows.push({ penalty, temperature, q, gap: gapOf(q, data) });
    }
  return rows;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2));
  await calibrate(typeof flags.dir === 'string' ? path.resolve(flags.dir) : WEIGHTS_DIR, Boolean(flags.write));
}

/** Sweeps the decoder on the valid split for the generator in `dir`; with `write`, stores the best setting in its manifest. */
export async function calibrate(dir: string, write: boolean): Promise<void> {
  await initRuntime();
  const { params, config } = loadParams(dir, 'generator', false);
  const { valid, train } = loadJsb();
  if (config.decodeRhythm.length === 0) config.decodeRhythm = rhythmPrior(train, NUM_CLASSES);
  const data = chorusQuality(valid);
  console.log(`valid data: QN ${data.QN.toFixed(1)} EB ${data.EB.toFixed(1)} UPC ${data.UPC.toFixed(2)} TD ${data.TD.toFixed(3)} inKey ${data.inKey.toFixed(1)}`);
  const rows = sweep(params, config, valid);
  for (const r of rows) console.log(`T ${r.temperature} penalty ${r.penalty.toFixed(1)}: QN ${r.q.QN.toFixed(1)} EB ${r.q.EB.toFixed(1)} UPC ${r.q.UPC.toFixed(2)} TD ${r.q.TD.toFixed(3)} inKey ${r.q.inKey.toFixed(1)} gap ${r.gap.toFixed(3)}`);
  const best = rows.reduce((a, b) => (b.gap < a.gap ? b : a));
  console.log(`best: temperature ${best.temperature}, penalty ${best.penalty} (gap ${best.gap.toFixed(3)})`);
  disposeParams(params);
  if (write) {
    const file = path.join(dir, 'generator.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { config: GanConfig; meta: Record<string, unknown> };
    manifest.config.decodePenalty = best.penalty;
    manifest.config.decodeRhythm = config.decodeRhythm;
    manifest.config.decodeTemperature = best.temperature;
    manifest.meta.decoderCalibration = { split: 'valid', chorales: valid.length, rows: rows.map((r) => ({ temperature: r.temperature, penalty: r.penalty, QN: r.q.QN, EB: r.q.EB, UPC: r.q.UPC, TD: r.q.TD, inKey: r.q.inKey, gap: r.gap })) };
    fs.writeFileSync(file, JSON.stringify(manifest, null, 1));
    console.log(`wrote decodeTemperature ${best.temperature}, decodePenalty ${best.penalty} into ${file}`);
  }
}

if (process.argv[1] && /calibrate\.ts$/.test(process.argv[1])) await main();

// Chooses the decoder's defaults (sampling temperature, note-change penalty) on the VALIDATION
// split by issue 12's harmony figures: the setting that meets the most targets (strict voice
// leading on, so parallels are excluded), then the one with the most complete chords at melody
// onsets. The test split is never looked at. Run after training (`--publish` does):
//   npx tsx models/gan/calibrate.ts [--dir models/weights/gan] [--write]
import fs from 'node:fs';
import path from 'node:path';
import { loadJsb, type Chorale } from '../data/jsb';
import { addHarmonyCounts, emptyHarmonyCounts, harmonyCounts, harmonyFigures, type HarmonyFigures } from '../metrics/harmony';
import { targetsMet } from '../metrics/harmony-eval';
import { initRuntime } from '../runtime/index';
import { readWeightsConfig, WEIGHTS_CONFIG_FILE } from '../runtime/io';
import { createRng } from '../runtime/rng';
import { parseArgs } from '../cli/args';
import { NUM_CLASSES, type GanConfig } from './config';
import { rhythmPrior } from './decode';
import type { Params } from './network';
import { decodeLogits, melodyLogits } from './sampler';
import { disposeParams, loadWeights, WEIGHTS_DIR, type GanWeightsConfig } from './weights';

// A small grid: each setting decodes all 76 valid chorales voice by voice on a shared 2-core CPU.
export const PENALTIES = [0.05, 0.1, 0.2];
export const TEMPERATURES = [0, 0.5];

export interface SweepRow {
  penalty: number;
  temperature: number;
  figures: HarmonyFigures;
  /** Issue-12 targets met, parallels left out (strict voice leading meets that one by construction). */
  met: number;
}

/** Harmony figures of every decoder setting on `chorales` (strict voice leading on; noise seed as the eval's seed 1). */
export function sweep(params: Params, config: GanConfig, chorales: readonly Chorale[], penalties = PENALTIES, temperatures = TEMPERATURES): SweepRow[] {
  const rows: SweepRow[] = [];
  const melodies = chorales.map((ch) => ch.map((s) => s[0]!));
  // One trunk pass per chorale; every decoder setting reuses it (same noise, fresh draws).
  const logits = melodies.map((m, i) => melodyLogits(params, config, [m], 1000 + i));
  try {
    for (const temperature of temperatures)
      for (const penalty of penalties) {
        let counts = emptyHarmonyCounts();
        melodies.forEach((melody, i) => {
          const voices = decodeLogits({ ...logits[i]!, rng: createRng(7000 + i) }, config, { penalty, temperature, strictVoiceLeading: true })[0]!;
          counts = addHarmonyCounts(counts, harmonyCounts({ melody, voices }));
        });
        const figures = harmonyFigures(counts);
        const met = Object.entries(targetsMet(figures)).filter(([k, ok]) => ok && k !== 'parallels_per_bar').length;
        rows.push({ penalty, temperature, figures, met });
      }
  } finally {
    logits.forEach((l) => l.dispose());
  }
  return rows;
}

/** Most targets met, then most complete chords at melody onsets, then the higher onset consonance. */
export function chooseSetting(rows: readonly SweepRow[]): SweepRow {
  if (rows.length === 0) throw new Error('no decoder settings to choose from');
  const better = (a: SweepRow, b: SweepRow): boolean =>
    a.met !== b.met
      ? a.met > b.met
      : a.figures.chord_at_onsets !== b.figures.chord_at_onsets
        ? a.figures.chord_at_onsets > b.figures.chord_at_onsets
        : a.figures.onset_consonance > b.figures.onset_consonance;
  return rows.reduce((best, r) => (better(r, best) ? r : best));
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2));
  await calibrate(typeof flags.dir === 'string' ? path.resolve(flags.dir) : WEIGHTS_DIR, Boolean(flags.write));
}

const f3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Sweeps the decoder on the valid split for the generator in `dir`; with `write`, stores the chosen setting in its config.json. */
export async function calibrate(dir: string, write: boolean): Promise<void> {
  await initRuntime();
  const { params, config } = loadWeights(dir, 'generator', false);
  const { valid, train } = loadJsb();
  if (config.decodeRhythm.length === 0) config.decodeRhythm = rhythmPrior(train, NUM_CLASSES).map(f3);
  const rows = sweep(params, config, valid);
  for (const r of rows)
    console.log(
      `T ${r.temperature} penalty ${r.penalty}: chord ${f3(r.figures.chord_at_onsets)} onset ${f3(r.figures.onset_consonance)} bass ${f3(r.figures.bass_consonance)} 16th ${f3(r.figures.share_16th)} in-key ${f3(r.figures.in_key)} (targets met ${r.met})`,
    );
  const best = chooseSetting(rows);
  console.log(`chosen: temperature ${best.temperature}, penalty ${best.penalty}`);
  disposeParams(params);
  if (write) {
    const file = path.join(dir, WEIGHTS_CONFIG_FILE);
    const manifest = readWeightsConfig(dir) as GanWeightsConfig;
    manifest.config.decodePenalty = best.penalty;
    manifest.config.decodeRhythm = config.decodeRhythm;
    manifest.config.decodeTemperature = best.temperature;
    manifest.meta.decoderCalibration = {
      split: 'valid',
      chorales: valid.length,
      noiseSeed: 1,
      strictVoiceLeading: true,
      rule: 'most issue-12 targets met (parallels excluded), then highest chord_at_onsets, then onset_consonance',
      chosen: { temperature: best.temperature, penalty: best.penalty },
      rows: rows.map((r) => ({
        temperature: r.temperature,
        penalty: r.penalty,
        met: r.met,
        ...Object.fromEntries(Object.entries(r.figures).map(([k, v]) => [k, f3(v)])),
      })),
    };
    fs.writeFileSync(file, `${JSON.stringify(manifest, null, 1)}\n`);
    console.log(`wrote decodeTemperature ${best.temperature}, decodePenalty ${best.penalty} into ${file}`);
  }
}

if (process.argv[1] && /calibrate\.ts$/.test(process.argv[1])) await main();

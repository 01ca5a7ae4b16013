// `npm run eval -- transformer` when the committed weights are the melody-encoder model (issue 12).
// On the test split (or --split valid, for choosing knobs and checkpoints):
// 1. NLL in nats per A/T/B token, every token of every chorale scored once (windows of maxLen
//    steps, hop maxLen/2, the melody always whole), and the same NLL on sounding cells only next to
//    the soprano-conditioned lookup-table baseline (models/metrics/baselines.ts), which scores
//    exactly those cells; also the decoder-only model's SATB NLL when its weights are present.
// 2. Harmony metrics (models/metrics/harmony-eval.ts) of harmonisations of every melody, seeds 1–3,
//    default knobs, with strict voice leading on and off, next to Bach's chorales.
// Flags: --json --split test|valid --limit N --seeds 1,2,3 --temperature T --top-p P
//        --harmony-only --nll-only --constrained-only --checkpoint DIR (a training checkpoint instead
//        of the committed weights).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadJsb } from '../data/jsb';
import { baselineFigures } from '../metrics/baselines';
import { evaluateHarmony, harmonyJson, harmonyTable } from '../metrics/harmony-eval';
import { initRuntime, tf } from '../runtime/index';
import { loadVariables } from '../runtime/io';
import { createRng } from '../runtime/rng';
import { pitchToToken } from '../data/tokens';
import { evalBatches } from './encoding';
import { wallSeconds } from './eval';
import { melodyConfigSchema, MELODY_SAMPLING_DEFAULTS } from './mel-config';
import { melodyEvalBatches, melodyPiece, type MelodyBatch } from './mel-encoding';
import { countMelodyParams, initMelodyParams } from './mel-network';
import { sampleHarmony } from './mel-sampler';
import { melodyDatasetNll } from './mel-train';
import { loadMelodyModel, type MelodyModel } from './mel-weights';
import { jsbFirstPos, JSB_METRE } from './meter';
import { disposeParams } from './network';
import { datasetNll } from './nll';
import { parseParams } from './params';
import { WEIGHTS_DIR, loadWeights } from './weights';

const flagsSchema = z.object({
  json: z.literal(true).optional(),
  split: z.enum(['test', 'valid']).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  seeds: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .optional(),
  temperature: z.coerce.number().optional(),
  'top-p': z.coerce.number().optional(),
  'harmony-only': z.literal(true).optional(),
  'nll-only': z.literal(true).optional(),
  checkpoint: z.string().min(1).optional(),
  /** Knob sweeps: only the default decoding (strict voice leading on). */
  'constrained-only': z.literal(true).optional(),
});

function loadCheckpoint(dir: string): MelodyModel {
  const cfg = melodyConfigSchema.parse((JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { config: unknown }).config);
  const params = initMelodyParams(cfg, createRng(0));
  loadVariables(dir, 'variables', params);
  return { params, cfg };
}

/** Only the sounding targets keep their weight (the baseline's cells: every sounding A/T/B step). */
function soundingOnly(b: MelodyBatch): MelodyBatch {
  const weights = b.weights.map((w, i) => (b.targets[i] === 0 ? 0 : w));
  return { ...b, weights };
}

/** Harmonises JSB melodies (already in the model's range) with the chorale's bar phase as metre. */
export function jsbHarmonizer(model: MelodyModel, knobs: { temperature: number; topP: number }) {
  return async (melody: number[], o: { seed: number; piece: number; strictVoiceLeading: boolean }) => {
    const piece = melodyPiece(
      melody.map((p) => pitchToToken(p)),
      jsbFirstPos(melody.length),
      JSB_METRE,
    );
    return sampleHarmony(model, piece, { ...knobs, strictVoiceLeading: o.strictVoiceLeading }, createRng(o.seed * 100003 + o.piece));
  };
}

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export async function main(flags: Record<string, string | true>): Promise<void> {
  const f = flagsSchema.parse(flags);
  await initRuntime();
  const data = loadJsb();
  const split = f.split ?? 'test';
  const pieces = data[split].slice(0, f.limit ?? Infinity);
  const log = (s: string) => console.log(s);
  const model = f.checkpoint ? loadCheckpoint(f.checkpoint) : loadMelodyModel(WEIGHTS_DIR);
  const out: Record<string, unknown> = {
    model: 'transformer',
    arch: 'melody-encoder',
    split,
    weights: f.checkpoint ?? path.relative(process.cwd(), WEIGHTS_DIR),
  };

  if (!f['harmony-only']) {
    const batches = melodyEvalBatches(pieces, model.cfg, 16);
    const all = melodyDatasetNll(model.params, model.cfg, batches);
    const sounding = melodyDatasetNll(model.params, model.cfg, batches.map(soundingOnly));
    const base = baselineFigures(data, pieces, 1, 1);
    log(
      `${split} NLL: ${all.nll.toFixed(4)} nats per A/T/B token over ${all.tokens} tokens (every token); sounding cells only ${sounding.nll.toFixed(4)} over ${sounding.tokens}`,
    );
    log(
      `lookup-table baseline p(voice pitch | soprano pitch) on the same sounding cells: ${base.lookup_harmonization_nll.toFixed(4)} (α=${base.lookup_alpha}); margin ${(base.lookup_harmonization_nll - sounding.nll).toFixed(4)}`,
    );
    Object.assign(out, {
      [`${split}_nll`]: round(all.nll),
      [`${split}_tokens`]: all.tokens,
      [`${split}_nll_sounding`]: round(sounding.nll),
      [`${split}_tokens_sounding`]: sounding.tokens,
      baseline_lookup_nll: round(base.lookup_harmonization_nll),
      baseline_lookup_alpha: base.lookup_alpha,
      margin_vs_lookup: round(base.lookup_harmonization_nll - sounding.nll),
      params: countMelodyParams(model.cfg),
      config: model.cfg,
    });
    if (!f.checkpoint) {
      const meta = JSON.parse(fs.readFileSync(path.join(WEIGHTS_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
      const logFile = path.join(WEIGHTS_DIR, 'train-log.json');
      Object.assign(out, {
        train_steps: meta.steps ?? null,
        train_total_steps: meta.totalSteps ?? null,
        training_flops: meta.trainingFlops ?? null,
        training_tokens: meta.trainingTokens ?? null,
        train_wall_seconds: fs.existsSync(logFile)
          ? round(wallSeconds((JSON.parse(fs.readFileSync(logFile, 'utf8')) as { train: Array<{ elapsedSec: number }> }).train), 0)
          : null,
        best_validation: meta.bestValidation ?? null,
      });
    }
    // The decoder-only model (continue, and the previous harmoniser) on the same split, SATB tokens.
    const decDir = path.join(WEIGHTS_DIR, 'decoder');
    if (fs.existsSync(path.join(decDir, 'config.json'))) {
      const dec = loadWeights(decDir);
      const r = datasetNll(dec.params, dec.cfg, evalBatches(pieces, dec.cfg.maxLen, 32));
      disposeParams(dec.params);
      log(`decoder-only model (decoder/): ${r.nll.toFixed(4)} nats per SATB token (all four voices, melody not known ahead)`);
      out[`decoder_${split}_nll_satb`] = round(r.nll);
    }
  }

  if (!f['nll-only']) {
    const knobs = parseParams(
      { ...(f.temperature !== undefined ? { temperature: f.temperature } : {}), ...(f['top-p'] !== undefined ? { topP: f['top-p'] } : {}) },
      MELODY_SAMPLING_DEFAULTS,
    );
    const seeds = (f.seeds ?? '1,2,3').split(',').map(Number);
    const t0 = performance.now();
    const rep = await evaluateHarmony(jsbHarmonizer(model, knobs), { split, seeds, limit: f.limit, unconstrained: !f['constrained-only'] });
    log(harmonyTable(rep, 'transformer'));
    log(
      `(${((performance.now() - t0) / 1000).toFixed(0)} s; T=${knobs.temperature}, top-p=${knobs.topP}; strict voice leading on = the default, off = the unconstrained column)`,
    );
    Object.assign(out, { temperature: knobs.temperature, top_p: knobs.topP }, harmonyJson(rep));
  }
  disposeParams(model.params);
  out.tensors_after = tf.memory().numTensors;
  if (f.json) console.log(JSON.stringify(out));
}

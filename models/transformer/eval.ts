// `npm run eval -- transformer [--json] [--melodies N] [--seed S] [--temperature T] [--top-p P]`:
// the transformer on the JSB test split only.
// 1. Note-wise NLL (nats per token) of the test chorales serialised as in the Music Transformer
//    paper, for the committed relative-attention model and for the two equal-budget ablation
//    models (relative vs absolute positions), each with its training FLOPs and wall time; plus a
//    per-voice bigram baseline (train counts, smoothing picked on valid) over the same tokens.
// 2. Harmonisation: each test chorale's soprano forced, alto/tenor/bass sampled with the
//    generator's default knobs; EB, UPC, QN, TD and in-key ratio next to Bach's own chorales, the
//    key estimated from Bach's four voices for both.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadJsb, type Chorale } from '../data/jsb';
import { choraleToTokens, pitchToToken, tokenToPitch } from '../data/tokens';
import { averageSummaries, estimateKey, summarize, voiceTracks, type MetricSummary } from '../metrics/index';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { VOICES_PER_STEP } from './config';
import { evalBatches } from './encoding';
import { lineChartSvg, type Series } from '../train/svg';
import { countParams, disposeParams } from './network';
import { datasetNll } from './nll';
import { parseParams } from './params';
import { decode, type Model } from './sampler';
import { ABSOLUTE_DIR, WEIGHTS_DIR, loadWeights, readArch } from './weights';

const flagsSchema = z.object({
  json: z.literal(true).optional(),
  melodies: z.coerce.number().int().min(0).optional(),
  seed: z.coerce.number().int().optional(),
  temperature: z.coerce.number().optional(),
  'top-p': z.coerce.number().optional(),
  plot: z.literal(true).optional(),
});

/** Reference points quoted in issue 7 (paper table; vanilla curve measured on this serialisation). */
export const REFERENCE = {
  paper_vanilla_transformer: 0.417,
  paper_music_transformer: 0.335,
  curve_0_94M_params: [
    { flops: 1.4e14, nll: 0.83 },
    { flops: 5.6e14, nll: 0.53 },
  ],
  curve_5_0M_params: [
    { flops: 7.4e14, nll: 0.53 },
    { flops: 3.0e15, nll: 0.4 },
  ],
};

/** Per-voice bigram p(token | previous token of the same voice), add-α smoothed over 47 tokens. */
export function bigramNll(train: readonly Chorale[], test: readonly Chorale[], alpha: number): number {
  const V = 47;
  const START = V; // context of a voice's first token
  const counts = Array.from({ length: VOICES_PER_STEP }, () => Array.from({ length: V + 1 }, () => new Float64Array(V)));
  const seqs = (ch: Chorale) => {
    const toks = choraleToTokens(ch);
    return [0, 1, 2, 3].map((v) => toks.filter((_, i) => i % VOICES_PER_STEP === v));
  };
  for (const ch of train) seqs(ch).forEach((s, v) => s.forEach((t, i) => counts[v]![i === 0 ? START : s[i - 1]!]![t]!++));
  let nll = 0;
  let n = 0;
  for (const ch of test)
    seqs(ch).forEach((s, v) =>
      s.forEach((t, i) => {
        const row = counts[v]![i === 0 ? START : s[i - 1]!]!;
        let total = 0;
        for (const c of row) total += c;
        nll -= Math.log((row[t]! + alpha) / (total + alpha * V));
        n++;
      }),
    );
  return nll / n;
}

interface ModelFacts {
  dir: string;
  params: number;
  trainingFlops: number | null;
  trainSeconds: number | null;
  steps: number | null;
}

/**
 * Training wall time from the harness log: its elapsed clock restarts at every resume, so the
 * segments are summed (steps replayed after a crash are not counted twice).
 */
export function wallSeconds(train: ReadonlyArray<{ elapsedSec: number }>): number {
  let total = 0;
  let prev = 0;
  for (const e of train) {
    if (e.elapsedSec < prev) total += prev;
    prev = e.elapsedSec;
  }
  return total + prev;
}

function facts(dir: string): ModelFacts {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const num = (k: string) => (typeof meta[k] === 'number' ? (meta[k] as number) : null);
  const logFile = path.join(dir, 'train-log.json');
  const trainSeconds = fs.existsSync(logFile)
    ? wallSeconds((JSON.parse(fs.readFileSync(logFile, 'utf8')) as { train: Array<{ elapsedSec: number }> }).train)
    : num('trainSeconds');
  return { dir: path.relative(process.cwd(), dir), params: num('params') ?? 0, trainingFlops: num('trainingFlops'), trainSeconds, steps: num('steps') };
}

function testNll(dir: string, test: readonly Chorale[]): { nll: number; tokens: number; facts: ModelFacts } {
  const model = loadWeights(dir);
  try {
    const r = datasetNll(model.params, model.cfg, evalBatches(test, model.cfg.maxLen, 32));
    return { ...r, facts: { ...facts(dir), params: countParams(model.cfg) } };
  } finally {
    disposeParams(model.params);
  }
}

/** Validation NLL against training FLOPs (log10), with the reference curves and test points. */
export function nllVsFlopsSvg(dir: string, points: Array<{ label: string; flops: number; nll: number; color: string }>): string {
  const log = JSON.parse(fs.readFileSync(path.join(dir, 'train-log.json'), 'utf8')) as {
    config: { flopsPerStep: number };
    validation: Array<{ step: number; metrics: { loss: number } }>;
  };
  const lg = Math.log10;
  const series: Series[] = [
    { label: 'reference vanilla 0.94M (issue 7)', color: '#999999', points: REFERENCE.curve_0_94M_params.map((p) => [lg(p.flops), p.nll]), markers: true },
    { label: 'reference vanilla 5.0M (issue 7)', color: '#555555', points: REFERENCE.curve_5_0M_params.map((p) => [lg(p.flops), p.nll]), markers: true },
    {
      label: 'ours: validation NLL (24 valid chorales)',
      color: '#1f5fa8',
      points: log.validation.map((v) => [lg(v.step * log.config.flopsPerStep), v.metrics.loss]),
    },
    ...points.map((p) => ({ label: p.label, color: p.color, points: [[lg(p.flops), p.nll]] as Array<[number, number]>, markers: true })),
  ];
  return lineChartSvg(series, { title: 'JSB NLL (nats/token) vs training FLOPs (6·N·D)', xLabel: 'log10 training FLOPs', yLabel: 'NLL' });
}

/** Harmonises each melody (soprano forced) and returns the metrics of ours and of Bach's. */
export async function harmonisationMetrics(model: Model, test: readonly Chorale[], seed: number, sampling: { temperature: number; topP: number }) {
  const ours: MetricSummary[] = [];
  const bach: MetricSummary[] = [];
  let tokens = 0;
  const t0 = performance.now();
  for (let i = 0; i < test.length; i++) {
    const ch = test[i]!;
    const plan = ch.flatMap((s) => [pitchToToken(s[0]!), null, null, null]);
    const out = await decode(model, { tokens: plan, startsPiece: true }, sampling, createRng(seed + i));
    tokens += out.length;
    const gen: Chorale = [];
    for (let k = 0; k < out.length; k += VOICES_PER_STEP) gen.push(out.slice(k, k + VOICES_PER_STEP).map(tokenToPitch));
    const key = estimateKey(voiceTracks(ch));
    ours.push(summarize(voiceTracks(gen), { key }));
    bach.push(summarize(voiceTracks(ch), { key }));
  }
  return { ours: averageSummaries(ours), bach: averageSummaries(bach), tokens, seconds: (performance.now() - t0) / 1000 };
}

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
const roundAll = (s: MetricSummary) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => round(x)) : round(v as number)]));

export async function main(flags: Record<string, string | true>): Promise<void> {
  // The melody-encoder harmoniser (issue 12) has its own eval; the rest of this file is the
  // decoder-only model's.
  if (flags.checkpoint !== undefined || readArch(WEIGHTS_DIR) === 'melody-encoder') return (await import('./mel-eval')).main(flags);
  const f = flagsSchema.parse(flags);
  await initRuntime();
  const data = loadJsb();
  const test = data.test;
  const log = (s: string) => console.log(s);

  const main = testNll(WEIGHTS_DIR, test);
  log(
    `test NLL (committed, relative): ${main.nll.toFixed(4)} nats/token over ${main.tokens} tokens; ${main.facts.params} params, ${main.facts.trainingFlops?.toExponential(2)} FLOPs, ${main.facts.trainSeconds?.toFixed(0)} s`,
  );
  const abs = fs.existsSync(path.join(ABSOLUTE_DIR, 'config.json')) ? testNll(ABSOLUTE_DIR, test) : null;
  const relAblDir = path.join(WEIGHTS_DIR, 'ablation-relative');
  const relAbl = fs.existsSync(path.join(relAblDir, 'config.json')) ? testNll(relAblDir, test) : null;
  if (abs)
    log(
      `ablation, equal budget: absolute ${abs.nll.toFixed(4)} vs relative ${relAbl?.nll.toFixed(4) ?? 'n/a'} (${abs.facts.trainingFlops?.toExponential(2)} FLOPs each)`,
    );
  else log('ablation: no absolute-position weights found (models/weights/transformer/absolute)');

  // Smoothing for the bigram picked on valid, never on test.
  const alphas = [1, 0.1, 0.01];
  const bestAlpha = alphas.reduce((a, b) => (bigramNll(data.train, data.valid, b) < bigramNll(data.train, data.valid, a) ? b : a));
  const bigram = bigramNll(data.train, test, bestAlpha);
  log(`per-voice bigram baseline: ${bigram.toFixed(4)} (α=${bestAlpha})`);

  const n = Math.min(test.length, f.melodies ?? test.length);
  const knobs = parseParams({
    ...(f.temperature !== undefined ? { temperature: f.temperature } : {}),
    ...(f['top-p'] !== undefined ? { topP: f['top-p'] } : {}),
  });
  const model = loadWeights(WEIGHTS_DIR);
  const harm = await harmonisationMetrics(model, test.slice(0, n), f.seed ?? 1, { temperature: knobs.temperature, topP: knobs.topP });
  disposeParams(model.params);
  log(`harmonised ${n} test melodies (${harm.tokens} tokens in ${harm.seconds.toFixed(1)} s, T=${knobs.temperature}, top-p=${knobs.topP})`);
  log(`  ours: ${JSON.stringify(roundAll(harm.ours))}`);
  log(`  Bach: ${JSON.stringify(roundAll(harm.bach))}`);

  const out = {
    model: 'transformer',
    split: 'test',
    test_nll: round(main.nll),
    test_tokens: main.tokens,
    params: main.facts.params,
    training_flops: main.facts.trainingFlops,
    train_wall_seconds: main.facts.trainSeconds,
    train_steps: main.facts.steps,
    test_nll_absolute: abs ? round(abs.nll) : null,
    test_nll_relative_ablation: relAbl ? round(relAbl.nll) : null,
    ablation_training_flops: abs?.facts.trainingFlops ?? null,
    ablation_wall_seconds_absolute: abs?.facts.trainSeconds ?? null,
    ablation_wall_seconds_relative: relAbl?.facts.trainSeconds ?? null,
    bigram_nll: round(bigram),
    bigram_alpha: bestAlpha,
    reference: REFERENCE,
    harmonization: { melodies: n, temperature: knobs.temperature, top_p: knobs.topP, ours: roundAll(harm.ours), bach: roundAll(harm.bach) },
  };
  if (f.plot && main.facts.trainingFlops) {
    const pts = [{ label: `ours test (relative, ${(main.facts.params / 1e6).toFixed(2)}M)`, flops: main.facts.trainingFlops, nll: main.nll, color: '#d8572a' }];
    if (abs?.facts.trainingFlops) pts.push({ label: 'ablation test: absolute', flops: abs.facts.trainingFlops, nll: abs.nll, color: '#8a3ffc' });
    if (relAbl?.facts.trainingFlops) pts.push({ label: 'ablation test: relative', flops: relAbl.facts.trainingFlops, nll: relAbl.nll, color: '#24a148' });
    const file = path.join(WEIGHTS_DIR, 'nll-vs-flops.svg');
    fs.writeFileSync(file, nllVsFlopsSvg(WEIGHTS_DIR, pts));
    log(`wrote ${path.relative(process.cwd(), file)}`);
  }
  if (f.json) console.log(JSON.stringify(out));
}

// Training logs → chart data for the /models page. Pure: takes the parsed train-log.json (the
// training harness's log: `train` and `validation` entries of {step, metrics}) and returns rows for
// a line chart. Series are thinned to a few hundred points so the page stays light; the chart shows
// the shape of the curve, the log keeps every point.
import { z } from 'zod';

const Entry = z.object({ step: z.number(), elapsedSec: z.number().optional(), metrics: z.record(z.string(), z.unknown()) });
export const TrainLog = z.object({
  name: z.string().optional(),
  seed: z.number().optional(),
  backend: z.string().optional(),
  startedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  totalSteps: z.number().optional(),
  completedSteps: z.number().optional(),
  resumes: z.array(z.number()).optional(),
  train: z.array(Entry),
  validation: z.array(Entry).default([]),
  best: z.object({ step: z.number(), metric: z.string(), value: z.number() }).nullable().optional(),
});
export type TrainLog = z.infer<typeof TrainLog>;

export interface Series {
  key: string;
  label: string;
  /** Real chorales (the `data_` twin of a sample metric): drawn dashed. */
  reference?: boolean;
}
export interface Chart {
  id: string;
  title: string;
  yLabel?: string;
  series: Series[];
  /** One row per step; a series without a value at that step is absent from the row. */
  rows: Array<Record<string, number>>;
}

/** Bookkeeping numbers the harness logs next to the losses; not curves of the model. */
const NOT_CURVES = new Set(['lr', 'gradNorm', 'pretrain']);
const MAX_POINTS = 240;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Every k-th entry (and the last) so at most `max` remain. */
export function thin<T>(xs: T[], max = MAX_POINTS): T[] {
  if (xs.length <= max) return xs;
  const k = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]!);
  return out;
}

function metricKeys(entries: TrainLog['train']): string[] {
  const keys: string[] = [];
  for (const e of entries) for (const [k, v] of Object.entries(e.metrics)) if (num(v) !== null && !keys.includes(k)) keys.push(k);
  return keys;
}

/** Merges per-series points into rows sorted by step. */
function toRows(parts: Array<{ key: string; entries: TrainLog['train']; metric: string }>): Chart['rows'] {
  const byStep = new Map<number, Record<string, number>>();
  for (const p of parts) {
    const pts = thin(p.entries.filter((e) => num(e.metrics[p.metric]) !== null));
    for (const e of pts) {
      const row = byStep.get(e.step) ?? { step: e.step };
      row[p.key] = num(e.metrics[p.metric])!;
      byStep.set(e.step, row);
    }
  }
  return [...byStep.values()].sort((a, b) => a.step! - b.step!);
}

/**
 * The charts of one training log: the training losses with the validation loss, then one chart
 * per validation metric, each with its real-data twin (`data_X`) when the log has one.
 * `prefix` keeps chart ids unique when a page shows several logs.
 */
export function chartsFromLog(log: TrainLog, prefix: string, opts: { lossOnly?: boolean } = {}): Chart[] {
  const charts: Chart[] = [];
  let trainKeys = metricKeys(log.train).filter((k) => !NOT_CURVES.has(k));
  // The GAN's `loss` is an alias (cross-entropy while pretraining, the critic loss after): its own terms are clearer.
  if (trainKeys.length > 1) trainKeys = trainKeys.filter((k) => k !== 'loss');
  const validKeys = metricKeys(log.validation).filter((k) => !NOT_CURVES.has(k));
  const lossParts = trainKeys.map((k) => ({ key: `train_${k}`, entries: log.train, metric: k }));
  const lossSeries: Series[] = trainKeys.map((k) => ({ key: `train_${k}`, label: `train ${k}` }));
  if (validKeys.includes('loss')) {
    lossParts.push({ key: 'valid_loss', entries: log.validation, metric: 'loss' });
    lossSeries.push({ key: 'valid_loss', label: 'valid loss' });
  }
  if (lossSeries.length)
    charts.push({ id: `${prefix}-loss`, title: 'Loss (train and valid) over steps', yLabel: 'loss', series: lossSeries, rows: toRows(lossParts) });
  if (opts.lossOnly) return charts;

  for (const k of validKeys) {
    if (k === 'loss' || k.startsWith('data_')) continue;
    const twin = validKeys.includes(`data_${k}`) ? `data_${k}` : null;
    const values = log.validation.flatMap((e) => [num(e.metrics[k]), twin ? num(e.metrics[twin]) : null]).filter((v): v is number => v !== null);
    // A metric that is the same constant for model and data all along (the GAN's EB = 0) has no curve to show.
    if (values.length && values.every((v) => v === values[0]) && twin) continue;
    const parts = [{ key: k, entries: log.validation, metric: k }];
    const series: Series[] = [{ key: k, label: `${k} (valid, samples)` }];
    if (twin) {
      parts.push({ key: twin, entries: log.validation, metric: twin });
      series.push({ key: twin, label: `${k} (real chorales)`, reference: true });
    }
    charts.push({ id: `${prefix}-${k}`, title: `Validation ${k} over steps`, yLabel: k, series, rows: toRows(parts) });
  }
  return charts;
}

/**
 * Training wall time in seconds: the harness restarts `elapsedSec` at every resume, so the total is
 * the sum of each leg's last logged value (a leg's tail after its last log line is not counted).
 */
export function trainSeconds(log: TrainLog): number | null {
  let total = 0;
  let leg = 0;
  let seen = false;
  for (const e of log.train) {
    if (e.elapsedSec === undefined) continue;
    seen = true;
    if (e.elapsedSec < leg) total += leg;
    leg = e.elapsedSec;
  }
  return seen ? total + leg : null;
}

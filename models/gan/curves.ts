// The training view (DeepComposer's "training" tab): critic/generator losses and gradient penalty,
// and the sample metrics next to the training data's, drawn as SVG next to the checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { lineChartSvg, movingAverage, type Series } from '../train/svg';

export interface LossPoint {
  step: number;
  metrics: Record<string, number>;
}

export interface MetricPoint {
  step: number;
  sample: Record<string, number>;
}

const pts = (xs: readonly LossPoint[], key: string): Array<[number, number]> =>
  xs.filter((x) => Number.isFinite(x.metrics[key])).map((x) => [x.step, x.metrics[key]!] as [number, number]);

export function lossCurveSvg(train: readonly LossPoint[], title: string): string {
  const smooth = (p: Array<[number, number]>) => movingAverage(p, Math.max(1, Math.round(p.length / 25)));
  const series: Series[] = [
    { label: 'critic loss (−W + λ·GP)', color: '#1f5fa8', points: smooth(pts(train, 'd_loss')) },
    { label: 'Wasserstein estimate', color: '#2a9d4b', points: smooth(pts(train, 'wasserstein')) },
    { label: 'gradient penalty', color: '#8e44ad', points: smooth(pts(train, 'gp')) },
    { label: 'G adversarial −D(G)', color: '#d8572a', points: smooth(pts(train, 'g_adv')) },
    { label: 'G cross-entropy', color: '#b8860b', points: smooth(pts(train, 'ce')) },
  ];
  return lineChartSvg(series, { title, xLabel: 'generator step', yLabel: 'loss (moving average)' });
}

/** The validation metrics drawn, one panel each: rhythm/pitch statistics and issue 12's chord and single-16th shares. */
export const METRIC_KEYS = ['QN', 'EB', 'UPC', 'TD', 'chord_at_onsets', 'share_16th'] as const;

/** One panel per metric: samples (line) against the training data's value (flat line). */
export function metricCurveSvgs(points: readonly MetricPoint[], data: Record<string, number>, title: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of METRIC_KEYS) {
    const s = points.filter((p) => Number.isFinite(p.sample[key])).map((p) => [p.step, p.sample[key]!] as [number, number]);
    const first = s[0]?.[0] ?? 0;
    const last = s.at(-1)?.[0] ?? 1;
    out[key] = lineChartSvg(
      [
        { label: `samples ${key}`, color: '#d8572a', points: s, markers: s.length < 3 },
        { label: `data ${key}`, color: '#1f5fa8', points: [[first, data[key] ?? NaN], [last, data[key] ?? NaN]] },
      ],
      { title: `${title}: ${key}`, xLabel: 'generator step', yLabel: key === 'QN' || key === 'EB' ? `${key} (%)` : key },
    );
  }
  return out;
}

/** The four metric panels stacked into one SVG (nested <svg> elements offset vertically). */
export function metricsSvg(points: readonly MetricPoint[], data: Record<string, number>, title: string): string {
  const panels = Object.values(metricCurveSvgs(points, data, title));
  const h = 420;
  const body = panels.map((p, i) => p.replace('<svg ', `<svg y="${i * h}" `));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="${h * panels.length}" viewBox="0 0 720 ${h * panels.length}">\n${body.join('\n')}\n</svg>`;
}

export const CURVE_FILES = ['gan-losses.svg', 'gan-metrics.svg'] as const;

/** Writes gan-losses.svg and gan-metrics.svg into `dir`. */
export function writeCurves(dir: string, train: readonly LossPoint[], points: readonly MetricPoint[], data: Record<string, number>, title: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, CURVE_FILES[0]), lossCurveSvg(train, title));
  fs.writeFileSync(path.join(dir, CURVE_FILES[1]), metricsSvg(points, data, title));
}

/** Redraws both charts from a harness log (train-log.json), e.g. when publishing a finished run. */
export function writeCurvesFromLog(logFile: string, dir: string, title: string): void {
  const log = JSON.parse(fs.readFileSync(logFile, 'utf8')) as { train: LossPoint[]; validation: Array<{ step: number; metrics: Record<string, number> }> };
  const last = log.validation.at(-1)?.metrics ?? {};
  const data = Object.fromEntries(METRIC_KEYS.map((k) => [k, last[`data_${k}`] ?? NaN]));
  writeCurves(dir, log.train, log.validation.map((v) => ({ step: v.step, sample: v.metrics })), data, title);
}

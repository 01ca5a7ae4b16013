// A training's live progress points → the charts the /models page already draws (CurveChart's
// Chart rows). Pure. The loss chart holds the training loss and, on the steps where validation ran,
// the held-out loss; every other scalar the model logs gets a chart of its own. Thinned like the
// committed models' curves (curves.ts), so a long run stays light to redraw on every new point.
import type { ProgressPoint } from '@/lib/ai/studio';
import { thin, type Chart } from '../curves';

/** Bookkeeping the trainers log next to the losses; drawn last (still a curve the run produced). */
const LAST = new Set(['lr', 'learningRate']);
/** Flags, not curves (the GAN's 0/1 "still pretraining"). */
const NOT_CURVES = new Set(['pretrain']);

export function progressCharts(points: readonly ProgressPoint[], prefix: string): Chart[] {
  if (!points.length) return [];
  const shown = thin([...points]);
  const charts: Chart[] = [
    {
      id: `${prefix}-loss`,
      title: 'Loss (train and valid) over steps',
      yLabel: 'loss',
      series: [{ key: 'loss', label: 'train loss' }, ...(points.some((p) => p.valid !== null) ? [{ key: 'valid', label: 'valid loss' }] : [])],
      // Validation runs only now and then: keep every point that has one, thinned or not.
      rows: mergeRows([...shown, ...points.filter((p) => p.valid !== null)]).map((p) => ({
        step: p.step,
        loss: p.loss,
        ...(p.valid === null ? {} : { valid: p.valid }),
      })),
    },
  ];
  const keys: string[] = [];
  for (const p of points) for (const k of Object.keys(p.extra ?? {})) if (!keys.includes(k) && !NOT_CURVES.has(k)) keys.push(k);
  keys.sort((a, b) => Number(LAST.has(a)) - Number(LAST.has(b)));
  for (const k of keys) {
    const rows = shown.filter((p) => Number.isFinite(p.extra?.[k])).map((p) => ({ step: p.step, [k]: p.extra![k]! }));
    if (rows.length) charts.push({ id: `${prefix}-${k}`, title: `${k} over steps`, yLabel: k, series: [{ key: k, label: k }], rows });
  }
  return charts;
}

/** One point per step, in step order (a resumed run may log a step twice: the later one wins). */
function mergeRows(points: readonly ProgressPoint[]): ProgressPoint[] {
  const by = new Map<number, ProgressPoint>();
  for (const p of points) by.set(p.step, p);
  return [...by.values()].sort((a, b) => a.step - b.step);
}

/** Adds newly streamed points to what a page holds (dedup by step; order kept). */
export function appendPoints(have: readonly ProgressPoint[], more: readonly ProgressPoint[]): ProgressPoint[] {
  if (!more.length) return have as ProgressPoint[];
  return mergeRows([...have, ...more]);
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export const fmtNum = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);

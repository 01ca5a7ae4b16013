// What `npm run eval -- <model> [--json]` prints, the same way for every model: a readable table
// of figures, the same figures for real Bach excerpts as a reference point, and with --json, one
// JSON object as the last line.
import { loadJsb, type JsbSplit } from '../data/jsb';
import { choraleToRoll } from '../data/pianoroll';
import { allWindows, type WindowBars } from '../data/windows';
import { averageSummaries, rollTracks, summarize, type MetricSummary } from './index';

/** Metrics of the real chorales of a split, cut into non-overlapping windows (the reference row). */
export function bachReference(split: JsbSplit = 'test', bars: WindowBars = 4): MetricSummary {
  const windows = allWindows(loadJsb()[split], bars);
  return averageSummaries(windows.map((w) => summarize(rollTracks(choraleToRoll(w.chorale)))));
}

/** Flattens a summary to scalar keys: EB_0…EB_3 per track plus the whole-excerpt values. */
export function flattenSummary(s: MetricSummary, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ['EB', 'UPC', 'QN', 'noteDensity'] as const) s[key].forEach((v, k) => (out[`${prefix}${key}_${k}`] = v));
  for (const key of ['TD', 'inKey', 'polyphony', 'polyphonicRate'] as const) out[`${prefix}${key}`] = s[key];
  return out;
}

export type Figures = Record<string, number | string | boolean | null>;

/** Prints the figures (and the reference next to each key it shares); `json` adds the final JSON line. */
export function printEvalReport(model: string, figures: Figures, opts: { json?: boolean; reference?: Record<string, number> } = {}): void {
  const ref = opts.reference ?? {};
  const rows = Object.entries(figures).map(([k, v]) => {
    const r = ref[k];
    const fmt = (x: unknown) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toFixed(4)) : String(x));
    return `  ${k.padEnd(24)} ${fmt(v).padStart(12)}${r !== undefined ? `   (Bach ${fmt(r)})` : ''}`;
  });
  console.log(`${model} — evaluation\n${rows.join('\n')}`);
  if (opts.json) {
    const refOut = Object.fromEntries(Object.entries(ref).map(([k, v]) => [`bach_${k}`, v]));
    console.log(JSON.stringify({ model, ...figures, ...refOut }));
  }
}

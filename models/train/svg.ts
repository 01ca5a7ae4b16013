// A dependency-free SVG line chart for loss curves: raw training loss (faint), its moving average,
// and validation loss as points. Written next to every checkpoint so a run can be judged by eye.
export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
  /** Draw markers instead of a line (sparse series such as validation). */
  markers?: boolean;
  opacity?: number;
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Log-scale y axis (only when every value is > 0). */
  logY?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Nice" tick values covering [lo, hi] (1/2/5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

export function movingAverage(points: Array<[number, number]>, window: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i]![1];
    if (i >= window) sum -= points[i - window]![1];
    out.push([points[i]![0], sum / Math.min(i + 1, window)]);
  }
  return out;
}

export function lineChartSvg(series: Series[], opts: ChartOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const m = { l: 64, r: 16, t: 36, b: 48 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const logY = Boolean(opts.logY) && all.length > 0 && all.every(([, y]) => y > 0);
  const ty = (y: number): number => (logY ? Math.log10(y) : y);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => ty(y));
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const r1 = (v: number): number => Math.round(v * 10) / 10;
  const px = (x: number): number => r1(m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r));
  const py = (y: number): number => r1(H - m.b - ((ty(y) - y0) / (y1 - y0)) * (H - m.t - m.b));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
  ];
  for (const x of niceTicks(x0, x1)) {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  const yTicks = logY ? niceTicks(y0, y1).map((v) => 10 ** v) : niceTicks(y0, y1);
  for (const y of yTicks) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
  if (opts.xLabel) parts.push(`<text x="${(W + m.l) / 2}" y="${H - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel) parts.push(`<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel + (logY ? ' (log)' : ''))}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));
    const op = s.opacity ?? 1;
    if (s.markers) for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}" opacity="${op}"/>`);
    else if (pts.length) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" opacity="${op}" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    const ly = m.t + 14 + i * 16;
    parts.push(`<rect x="${W - m.r - 150}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${W - m.r - 134}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

// The training progress line: step, loss, steps/s and ETA. Rewritten in place on a terminal; on a
// pipe (nohup logs, CI) one line per interval so the log stays readable.
export interface ProgressState {
  step: number;
  total: number;
  loss: number;
  stepsPerSec: number;
  extra?: Record<string, number>;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function formatProgress(p: ProgressState, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.step / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const eta = p.stepsPerSec > 0 ? (p.total - p.step) / p.stepsPerSec : Infinity;
  const extra = Object.entries(p.extra ?? {})
    .map(([k, v]) => ` ${k} ${v.toPrecision(4)}`)
    .join('');
  return `${bar} ${p.step}/${p.total} loss ${p.loss.toPrecision(4)}${extra} | ${p.stepsPerSec.toFixed(2)} steps/s | ETA ${formatDuration(eta)}`;
}

export type ProgressMode = 'auto' | 'tty' | 'lines' | 'off';

export class ProgressReporter {
  private lastDraw = 0;
  private readonly tty: boolean;
  constructor(
    private readonly mode: ProgressMode,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly lineIntervalMs = 10_000,
  ) {
    this.tty = mode === 'tty' || (mode === 'auto' && Boolean(out.isTTY));
  }

  update(p: ProgressState, force = false): void {
    if (this.mode === 'off') return;
    const now = Date.now();
    const interval = this.tty ? 200 : this.lineIntervalMs;
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    if (this.tty) this.out.write(`\r\x1b[2K${formatProgress(p)}`);
    else this.out.write(`${formatProgress(p)}\n`);
  }

  /** A message on its own line (validation results, checkpoints) without garbling the bar. */
  message(text: string): void {
    if (this.mode === 'off') return;
    this.out.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    if (this.tty) this.lastDraw = 0; // redraw the bar under the message
  }

  done(): void {
    if (this.tty && this.mode !== 'off') this.out.write('\n');
  }
}

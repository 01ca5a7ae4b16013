// The training loop the three models share. A model supplies what is specific to it — one
// optimisation step, a validation pass, saving and loading its weights — and the harness does the
// rest the same way for all: seeding (Math.random, which tfjs initialisers use, plus a data rng),
// a progress bar, periodic validation, atomic checkpoints with exact resume, a JSON log and a
// loss-curve SVG written next to the checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { activeBackend, tf } from '../runtime/index';
import { createRng, type Rng } from '../runtime/rng';
import { ProgressReporter, type ProgressMode } from './progress';
import { lineChartSvg, movingAverage } from './svg';
import { trainingObserver } from './observer';

export interface StepContext {
  /** 0-based index of this step. */
  step: number;
  /** Seeded data rng (batch sampling, augmentation); its state is checkpointed. */
  rng: Rng;
}

/** `loss` plus any other scalars worth logging (accuracy, gradient norm, D/G losses…). */
export type StepMetrics = { loss: number } & Record<string, number>;

export interface TrainLoop {
  step(ctx: StepContext): StepMetrics | Promise<StepMetrics>;
  /** Metrics on held-out data (never `test`); include `loss` to track the best checkpoint. */
  validate?(ctx: { step: number }): Record<string, number> | Promise<Record<string, number>>;
  /** Write everything needed to continue (weights, optimizer slots) into `dir`. */
  save(dir: string): Promise<void>;
  /** Restore from a directory written by `save`. */
  load(dir: string): Promise<void>;
}

export interface HarnessOptions {
  name: string;
  outDir: string;
  steps: number;
  seed: number;
  validateEvery?: number;
  checkpointEvery?: number;
  /** Steps per aggregated log entry (default: steps/500, at least 1). */
  logEvery?: number;
  /** Continue from `<outDir>/checkpoint` when present (default true). */
  resume?: boolean;
  /** Validation metric whose minimum is kept in `<outDir>/best` (default 'loss'). */
  bestMetric?: string;
  /** Hyper-parameters etc., stored verbatim in the log. */
  config?: Record<string, unknown>;
  progress?: ProgressMode;
}

export interface LogEntry {
  step: number;
  elapsedSec: number;
  stepsPerSec: number;
  /** Means over the steps since the previous entry. */
  metrics: Record<string, number>;
}

export interface TrainLog {
  name: string;
  seed: number;
  backend: string;
  config: Record<string, unknown>;
  startedAt: string;
  updatedAt: string;
  totalSteps: number;
  completedSteps: number;
  resumes: number[];
  train: LogEntry[];
  validation: Array<{ step: number; metrics: Record<string, number> }>;
  best: { step: number; metric: string; value: number } | null;
  warnings: string[];
}

export interface TrainSummary {
  completedSteps: number;
  resumedFrom: number | null;
  interrupted: boolean;
  finalLoss: number;
  lastValidation: Record<string, number> | null;
  best: TrainLog['best'];
  seconds: number;
  outDir: string;
  checkpointDir: string;
  bestDir: string | null;
  logFile: string;
  curveFile: string;
}

interface HarnessState {
  step: number;
  dataRng: number[];
  globalRng: number[];
}

const STATE_FILE = 'harness-state.json';

export function checkpointPaths(outDir: string) {
  return {
    checkpoint: path.join(outDir, 'checkpoint'),
    best: path.join(outDir, 'best'),
    log: path.join(outDir, 'train-log.json'),
    curve: path.join(outDir, 'loss-curve.svg'),
  };
}

/** Writes into a fresh directory and swaps it in, so a crash never leaves a half checkpoint. */
async function writeCheckpoint(dir: string, state: HarnessState, save: (d: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await save(tmp);
  fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify(state));
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

function findCheckpoint(dir: string): string | null {
  for (const d of [dir, `${dir}.old`]) if (fs.existsSync(path.join(d, STATE_FILE))) return d;
  return null;
}

export function renderLossCurve(log: TrainLog): string {
  const raw = log.train.map((e) => [e.step, e.metrics.loss ?? NaN] as [number, number]);
  const val = log.validation.filter((v) => v.metrics.loss !== undefined).map((v) => [v.step, v.metrics.loss!] as [number, number]);
  const smooth = movingAverage(raw, Math.max(1, Math.round(raw.length / 25)));
  return lineChartSvg(
    [
      { label: 'train loss', color: '#7aa6d8', points: raw, opacity: 0.45 },
      { label: 'train (moving avg)', color: '#1f5fa8', points: smooth },
      { label: 'validation loss', color: '#d8572a', points: val, markers: true },
    ],
    { title: `${log.name} — seed ${log.seed}, ${log.completedSteps}/${log.totalSteps} steps (${log.backend})`, xLabel: 'step', yLabel: 'loss' },
  );
}

function writeLog(outDir: string, log: TrainLog): void {
  const p = checkpointPaths(outDir);
  log.updatedAt = new Date().toISOString();
  fs.writeFileSync(p.log, JSON.stringify(log, null, 1));
  fs.writeFileSync(p.curve, renderLossCurve(log));
}

/**
 * Runs (or resumes) a training. Pass the loop as a factory — `() => buildModelAndLoop()` — so the
 * model's initial weights are drawn after seeding and the run is reproducible from `seed`; a
 * ready-made loop also works (its initial weights are then whatever they were).
 */
export async function runTraining(opts: HarnessOptions, loopOrFactory: TrainLoop | (() => TrainLoop | Promise<TrainLoop>)): Promise<TrainSummary> {
  if (!(Number.isInteger(opts.steps) && opts.steps >= 1)) throw new Error(`steps must be a positive integer (got ${opts.steps})`);
  if (!Number.isFinite(opts.seed)) throw new Error(`seed must be a number (got ${opts.seed})`);
  const paths = checkpointPaths(opts.outDir);
  fs.mkdirSync(opts.outDir, { recursive: true });
  const validateEvery = opts.validateEvery ?? Math.max(1, Math.round(opts.steps / 20));
  const checkpointEvery = opts.checkpointEvery ?? Math.max(1, Math.round(opts.steps / 10));
  const logEvery = opts.logEvery ?? Math.max(1, Math.floor(opts.steps / 500));
  const bestMetric = opts.bestMetric ?? 'loss';
  const progress = new ProgressReporter(opts.progress ?? 'auto');

  const dataRng = createRng(opts.seed);
  const globalRng = createRng(opts.seed + 0x5eed);
  const originalRandom = Math.random;
  Math.random = globalRng.next;
  let loop: TrainLoop;
  try {
    loop = typeof loopOrFactory === 'function' ? await loopOrFactory() : loopOrFactory;
  } catch (e) {
    Math.random = originalRandom;
    throw e;
  }

  let log: TrainLog = {
    name: opts.name,
    seed: opts.seed,
    backend: activeBackend(),
    config: opts.config ?? {},
    startedAt: new Date().toISOString(),
    updatedAt: '',
    totalSteps: opts.steps,
    completedSteps: 0,
    resumes: [],
    train: [],
    validation: [],
    best: null,
    warnings: [],
  };
  let start = 0;
  let resumedFrom: number | null = null;
  const found = opts.resume === false ? null : findCheckpoint(paths.checkpoint);
  if (found) {
    const state = JSON.parse(fs.readFileSync(path.join(found, STATE_FILE), 'utf8')) as HarnessState;
    await loop.load(found);
    dataRng.restore(state.dataRng);
    globalRng.restore(state.globalRng);
    start = resumedFrom = state.step;
    if (fs.existsSync(paths.log)) {
      const prev = JSON.parse(fs.readFileSync(paths.log, 'utf8')) as TrainLog;
      // Entries logged after the checkpoint are replayed by this run; drop them.
      log = { ...prev, totalSteps: opts.steps, train: prev.train.filter((e) => e.step <= start), validation: prev.validation.filter((v) => v.step <= start) };
    }
    log.resumes.push(start);
    progress.message(`[${opts.name}] resumed from step ${start} (${found})`);
  }

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const t0 = Date.now();
  let ema = 0;
  let lastStepTime = Date.now();
  let acc: Record<string, number> = {};
  let accN = 0;
  let finalLoss = NaN;
  let lastValidation: Record<string, number> | null = null;
  let tensorsAfterFirst = -1;
  let step = start;
  const state = (): HarnessState => ({ step, dataRng: dataRng.state(), globalRng: globalRng.state() });

  try {
    for (; step < opts.steps && !interrupted; ) {
      const m = await loop.step({ step, rng: dataRng });
      if (!Number.isFinite(m.loss)) throw new Error(`[${opts.name}] loss became ${m.loss} at step ${step}; stopping (last checkpoint is intact)`);
      step++;
      finalLoss = m.loss;
      const now = Date.now();
      const rate = 1000 / Math.max(1, now - lastStepTime);
      lastStepTime = now;
      ema = ema === 0 ? rate : 0.9 * ema + 0.1 * rate;
      for (const [k, v] of Object.entries(m)) acc[k] = (acc[k] ?? 0) + v;
      accN++;
      if (step === start + 1) tensorsAfterFirst = tf.memory().numTensors;
      if (step === start + 51 && tf.memory().numTensors > tensorsAfterFirst + 10) {
        log.warnings.push(`tensor leak: ${tf.memory().numTensors - tensorsAfterFirst} tensors more after 50 steps than after the first`);
        progress.message(`[${opts.name}] warning: ${log.warnings.at(-1)}`);
      }
      if (step % logEvery === 0 || step === opts.steps) {
        const metrics = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v / accN]));
        log.train.push({ step, elapsedSec: (now - t0) / 1000, stepsPerSec: ema, metrics });
        acc = {};
        accN = 0;
      }
      const { loss: _l, ...extra } = m;
      progress.update({ step, total: opts.steps, loss: m.loss, stepsPerSec: ema, extra });
      trainingObserver()?.step?.({ step, total: opts.steps, loss: m.loss, stepsPerSec: ema, extra });

      if (loop.validate && (step % validateEvery === 0 || step === opts.steps)) {
        const v = await loop.validate({ step });
        lastValidation = v;
        log.validation.push({ step, metrics: v });
        trainingObserver()?.validation?.({ step, metrics: v });
        progress.message(`[${opts.name}] step ${step} validation ${Object.entries(v).map(([k, x]) => `${k} ${x.toPrecision(4)}`).join(' ')}`);
        const value = v[bestMetric];
        if (value !== undefined && Number.isFinite(value) && (log.best === null || value < log.best.value)) {
          log.best = { step, metric: bestMetric, value };
          await writeCheckpoint(paths.best, state(), (d) => loop.save(d));
        }
      }
      if (step % checkpointEvery === 0 || step === opts.steps) {
        await writeCheckpoint(paths.checkpoint, state(), (d) => loop.save(d));
        log.completedSteps = step;
        writeLog(opts.outDir, log);
        trainingObserver()?.checkpoint?.({ step });
      }
      lastStepTime = Date.now(); // validation and checkpoint time stays out of steps/s
      // A step whose work resolves through microtasks only never lets libuv run the SIGINT/SIGTERM
      // handlers; one macrotask turn per step lets a stop request land between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (interrupted) {
      await writeCheckpoint(paths.checkpoint, state(), (d) => loop.save(d));
      trainingObserver()?.checkpoint?.({ step });
      progress.message(`[${opts.name}] interrupted at step ${step}; checkpoint saved, rerun the same command to resume`);
    }
    log.completedSteps = step;
    writeLog(opts.outDir, log);
  } finally {
    progress.done();
    Math.random = originalRandom;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return {
    completedSteps: step,
    resumedFrom,
    interrupted,
    finalLoss,
    lastValidation,
    best: log.best,
    seconds: (Date.now() - t0) / 1000,
    outDir: opts.outDir,
    checkpointDir: paths.checkpoint,
    bestDir: log.best ? paths.best : null,
    logFile: paths.log,
    curveFile: paths.curve,
  };
}

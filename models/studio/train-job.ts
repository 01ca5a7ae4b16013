// One model-studio training (issue 18), run inside a training thread: the family's own trainer
// (`models/<name>/train.ts` main — exactly what `npm run train -- <name>` runs) with the studio's
// settings as its flags, on the JSB train split or an uploaded collection's train part (written in
// the JSB format, read through TUTTI_JSB_DIR; validated on the held-out part, never test). The
// shared harness reports every step and validation (models/train/observer.ts); this module turns
// them into the throttled points of the live curve. A rerun with the same work directory resumes
// from the harness's last checkpoint. At the end the weights are exported in the generator's
// format, loaded once as a check, and described by a generated model card.
import fs from 'node:fs';
import path from 'node:path';
import type { ProgressPoint, StudioFamily, TrainSettings } from '../../lib/ai/studio';
import { checkpointPaths, type TrainLog } from '../train/harness';
import { setTrainingObserver } from '../train/observer';
import { modelCard } from './card';
import { createVersionGenerator } from './generator';

export interface StudioTrainSpec {
  family: StudioFamily;
  name: string;
  owner: string;
  dataDescription: string;
  settings: TrainSettings;
  /** A JSB-format directory to train on instead of the JSB Chorales (an upload); null = the JSB data. */
  dataDir: string | null;
  /** Checkpoints, log (kept for resume). */
  workDir: string;
  /** Where the generator-format weights, log and card go. */
  weightsDir: string;
  /** Training time already spent before this run (a resume), so elapsed and the card add up. */
  priorElapsedMs: number;
  /** The curve persisted by earlier runs (a resume), for the card. */
  priorPoints: ProgressPoint[];
  createdAt: string;
}

export interface StudioTrainEvents {
  point(p: ProgressPoint): void;
  checkpoint(step: number): void;
}

export interface StudioTrainResult {
  metrics: Record<string, number>;
  card: string;
  weightsBytes: number;
  completedSteps: number;
}

/** Validation and checkpoints every twentieth of the run: a cancel loses at most that much. */
export const cadence = (steps: number) => ({ validateEvery: Math.max(1, Math.round(steps / 10)), checkpointEvery: Math.max(1, Math.round(steps / 20)) });

/** The trainer's command-line flags for the studio settings (the bench runs the CLI with the same). */
export function trainFlags(spec: Pick<StudioTrainSpec, 'family' | 'settings' | 'workDir' | 'weightsDir'>): Record<string, string | true> {
  const s = spec.settings;
  const c = cadence(s.steps);
  const flags: Record<string, string | true> = {
    steps: String(s.steps),
    batch: String(s.batch),
    seed: String(s.seed),
    out: spec.workDir,
    lr: String(s.learningRate),
    progress: 'off',
    'validate-every': String(c.validateEvery),
    'checkpoint-every': String(c.checkpointEvery),
  };
  if (s.size === 'tiny') flags.tiny = true;
  if (spec.family === 'arcnn') flags['no-publish'] = true;
  if (spec.family === 'transformer') flags.export = spec.weightsDir;
  return flags;
}

/** Throttles harness events into points: the first step, then at most one per `intervalMs`, every validation, the last step. */
export function pointCollector(total: number, priorElapsedMs: number, emit: (p: ProgressPoint) => void, intervalMs = 250) {
  const t0 = Date.now();
  let lastEmit = 0;
  let sum = 0;
  let n = 0;
  let last: { step: number; loss: number; rate: number; extra: Record<string, number> } | null = null;
  const make = (step: number, loss: number, rate: number, valid: number | null, extra: Record<string, number>): ProgressPoint => ({
    step,
    loss,
    valid,
    elapsedMs: priorElapsedMs + (Date.now() - t0),
    etaMs: rate > 0 ? Math.round(((total - step) / rate) * 1000) : null,
    ...(Object.keys(extra).length ? { extra } : {}),
  });
  return {
    step(e: { step: number; total: number; loss: number; stepsPerSec: number; extra: Record<string, number> }) {
      sum += e.loss;
      n++;
      last = { step: e.step, loss: sum / n, rate: e.stepsPerSec, extra: e.extra };
      const now = Date.now();
      const first = lastEmit === 0;
      if (first || now - lastEmit >= intervalMs || e.step === total) {
        lastEmit = now;
        emit(make(e.step, sum / n, e.stepsPerSec, null, e.extra));
        sum = 0;
        n = 0;
      }
    },
    validation(e: { step: number; metrics: Record<string, number> }) {
      const v = e.metrics.loss;
      const l = last as { step: number; loss: number; rate: number; extra: Record<string, number> } | null;
      // The step's point again, now with its validation (points are keyed by step).
      emit(make(e.step, l?.loss ?? 0, l?.rate ?? 0, typeof v === 'number' && Number.isFinite(v) ? v : null, {}));
      lastEmit = Date.now();
      sum = 0;
      n = 0;
    },
  };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    total += e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return total;
}

/** Copies the best validated checkpoint (else the last) into the generator's weights format. */
function exportWeights(spec: StudioTrainSpec, log: TrainLog): void {
  const p = checkpointPaths(spec.workDir);
  const src = fs.existsSync(p.best) ? p.best : p.checkpoint;
  fs.mkdirSync(spec.weightsDir, { recursive: true });
  if (spec.family === 'arcnn') {
    fs.copyFileSync(path.join(src, 'net.json'), path.join(spec.weightsDir, 'arcnn.json'));
    fs.copyFileSync(path.join(src, 'net.bin'), path.join(spec.weightsDir, 'arcnn.bin'));
    const net = (log.config as { net: { widths: number[]; globalPitch: number; pcProfile: boolean; stepChroma?: boolean } }).net;
    const cfg = {
      model: 'arcnn',
      widths: net.widths,
      globalPitch: net.globalPitch,
      pcProfile: net.pcProfile,
      stepChroma: net.stepChroma === true,
      trainedSteps: log.best?.step ?? log.completedSteps,
      seed: log.seed,
    };
    fs.writeFileSync(path.join(spec.weightsDir, 'config.json'), `${JSON.stringify(cfg, null, 1)}\n`);
  } else if (spec.family === 'gan') {
    for (const f of ['generator.json', 'generator.bin', 'config.json']) fs.copyFileSync(path.join(src, f), path.join(spec.weightsDir, f));
  }
  // The transformer's trainer exported itself (--export weightsDir).
  fs.copyFileSync(p.log, path.join(spec.weightsDir, 'train-log.json'));
}

/** Runs (or resumes) the training to its end; throws on a failure of the trainer or of the exported weights. */
export async function runStudioTraining(spec: StudioTrainSpec, events: StudioTrainEvents): Promise<StudioTrainResult> {
  // A training thread's environment is its own copy; restored anyway, for a caller on the main thread (tests).
  const priorJsbDir = process.env.TUTTI_JSB_DIR;
  if (spec.dataDir) process.env.TUTTI_JSB_DIR = spec.dataDir;
  // The whole curve by step: a resume replays the steps after its checkpoint and replaces their points.
  const curve = new Map(spec.priorPoints.map((q) => [q.step, q]));
  const collector = pointCollector(spec.settings.steps, spec.priorElapsedMs, (p) => {
    curve.set(p.step, p);
    events.point(p);
  });
  setTrainingObserver({ step: collector.step, validation: collector.validation, checkpoint: (e) => events.checkpoint(e.step) });
  const t0 = Date.now();
  try {
    const mod = (await import(`../${spec.family}/train.ts`)) as { main(flags: Record<string, string | true>): Promise<unknown> };
    await mod.main(trainFlags(spec));
  } finally {
    setTrainingObserver(null);
    if (priorJsbDir === undefined) delete process.env.TUTTI_JSB_DIR;
    else process.env.TUTTI_JSB_DIR = priorJsbDir;
  }
  const p = checkpointPaths(spec.workDir);
  const log = JSON.parse(fs.readFileSync(p.log, 'utf8')) as TrainLog;
  if (log.completedSteps < spec.settings.steps) throw new Error(`the trainer stopped at step ${log.completedSteps} of ${spec.settings.steps}`);
  exportWeights(spec, log);
  // The version is only offered if its weights load as the AI jobs will load them.
  const gen = await createVersionGenerator(spec.family, spec.weightsDir);
  await gen.initialize();
  gen.dispose();
  const lastValidation = log.validation.at(-1)?.metrics ?? {};
  const metrics = Object.fromEntries(Object.entries(lastValidation).filter(([, v]) => Number.isFinite(v)));
  const config = log.config as { parameters?: number; params?: number };
  const card = modelCard({
    family: spec.family,
    name: spec.name,
    owner: spec.owner,
    dataDescription: spec.dataDescription,
    settings: spec.settings,
    points: [...curve.values()].sort((a, b) => a.step - b.step),
    metrics,
    best: log.best ? { step: log.best.step, value: log.best.value } : null,
    backend: log.backend,
    parameters: config.parameters ?? config.params ?? null,
    seconds: (spec.priorElapsedMs + Date.now() - t0) / 1000,
    createdAt: spec.createdAt,
  });
  fs.writeFileSync(path.join(spec.weightsDir, 'MODEL_CARD.md'), card);
  return { metrics, card, weightsBytes: dirBytes(spec.weightsDir), completedSteps: log.completedSteps };
}

// Server-only: reads each model's card, eval JSON and training log from models/weights/<name>/ at
// request time (the files change when a model is retrained; the page must show what is committed
// now, not what was there at build time). Only fs and JSON: app/ never imports models/ code.
// A file that is missing or half-written (a training run rewriting it) becomes a listed problem
// on that model's section, never a failed page.
import fs from 'node:fs';
import path from 'node:path';
import { MODEL_INFO, MODEL_NAMES, type ModelName } from '@/lib/ai/contract';
import { parseCard, type ParsedCard } from './card';
import { chartsFromLog, TrainLog, trainSeconds, type Chart } from './curves';
import { findHarmony, findRealTwins, flattenFigures, type HarmonyTable, type TwinRow } from './figures';

export interface ModelFacts {
  parameters: number | null;
  /** The weights manifest the parameter count was summed from. */
  parametersFrom: string | null;
  completedSteps: number | null;
  totalSteps: number | null;
  trainSeconds: number | null;
  backend: string | null;
  seed: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  resumes: number[];
  best: { step: number; metric: string; value: number } | null;
  trainCommand: string | null;
}

export interface ModelStudioEntry {
  name: ModelName;
  label: string;
  blurb: string;
  card: ParsedCard | null;
  /** The whole card as read (the page shows it section by section). */
  cardMarkdown: string | null;
  facts: ModelFacts;
  charts: Chart[];
  /** Loss curves of the other runs kept in the folder (e.g. the transformer's decoder-only model). */
  otherRuns: Array<{ dir: string; name: string | null; charts: Chart[] }>;
  /** null = the eval JSON has no harmony figures (or there is no eval JSON): shown as "not measured". */
  harmony: HarmonyTable | null;
  /** Why there are no harmony figures (null when there are): the page says "not measured" and why. */
  harmonyNotMeasured: string | null;
  realTwins: { source: string; rows: TwinRow[] } | null;
  evalFiles: Array<{ name: string; figures: Array<[string, number | string | boolean]> }>;
  problems: string[];
}

export const EVAL_FILES = ['eval-results.json', 'eval-extra.json'] as const;

/** models/weights: TUTTI_WEIGHTS_DIR, else found from the working directory up (the server runs from the repo root). */
export function weightsDir(): string {
  if (process.env.TUTTI_WEIGHTS_DIR) return path.resolve(process.env.TUTTI_WEIGHTS_DIR);
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'models', 'weights');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.join(process.cwd(), 'models', 'weights');
  }
}

function readText(file: string, problems: string[]): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${path.basename(file)} could not be read: ${(err as Error).message}`);
    return null;
  }
}

function readJson(file: string, problems: string[]): unknown {
  const text = readText(file, problems);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push(`${path.relative(path.dirname(path.dirname(file)), file)} is not valid JSON (being rewritten?): ${(err as Error).message}`);
    return undefined;
  }
}

function readLog(file: string, problems: string[]): TrainLog | null {
  const json = readJson(file, problems);
  if (json === undefined) return null;
  const parsed = TrainLog.safeParse(json);
  if (!parsed.success) {
    problems.push(`${path.basename(file)} does not have the training harness's shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return null;
  }
  return parsed.data;
}

/** Parameter count = the sum of the tensor shapes in the weights manifest (`tensors` or `specs`). */
function countParameters(dir: string): { count: number; file: string } | null {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      // This folder's own files only: what sits beside the model in a subfolder is not the network that
      // generates (the GAN's critic, which the how-it-works view scores with, in gan/critic/; its
      // pre-adversarial generator; the transformer's other runs). config.json is the architecture and
      // provenance saved beside every manifest (models/runtime/io.ts), never a manifest itself.
      .filter((n) => n.endsWith('.json') && !n.startsWith('eval-') && n !== 'train-log.json' && n !== 'config.json')
      .sort();
  } catch {
    return null;
  }
  for (const name of names) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      continue;
    }
    const list = (json as { tensors?: unknown; specs?: unknown }).tensors ?? (json as { specs?: unknown }).specs;
    if (!Array.isArray(list) || !list.length || !list.every((t) => Array.isArray((t as { shape?: unknown }).shape))) continue;
    const count = list.reduce((sum: number, t: { shape: number[] }) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    return { count, file: name };
  }
  return null;
}

export function loadModel(name: ModelName, root = weightsDir()): ModelStudioEntry {
  // Read at request time, not traced into the build (the weights are not part of the web bundle).
  const dir = path.join(/*turbopackIgnore: true*/ root, name);
  const problems: string[] = [];
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) problems.push(`models/weights/${name}/ does not exist`);

  const cardMarkdown = readText(path.join(dir, 'MODEL_CARD.md'), problems);
  if (cardMarkdown === null) problems.push('MODEL_CARD.md is missing');
  const card = cardMarkdown === null ? null : parseCard(cardMarkdown);

  const log = readLog(path.join(dir, 'train-log.json'), problems);
  if (!log && !problems.some((p) => p.startsWith('train-log.json'))) problems.push('train-log.json is missing: no curves');

  const evals = EVAL_FILES.map((f) => ({ name: f, json: readJson(path.join(/*turbopackIgnore: true*/ dir, f), problems) })).filter((f) => f.json !== undefined);
  const params = countParameters(dir);

  const otherRuns: ModelStudioEntry['otherRuns'] = [];
  let subdirs: string[] = [];
  try {
    subdirs = fs
      .readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {}
  for (const sub of subdirs) {
    const file = path.join(dir, sub, 'train-log.json');
    if (!fs.existsSync(file)) continue;
    const subLog = readLog(file, problems);
    if (subLog) otherRuns.push({ dir: sub, name: subLog.name ?? null, charts: chartsFromLog(subLog, `${name}-${sub}`, { lossOnly: true }) });
  }

  const harmony = findHarmony(evals);
  const harmonyNotMeasured = harmony
    ? null
    : evals.length
      ? `not measured: ${evals.map((f) => f.name).join(' and ')} in models/weights/${name}/ hold no harmony figures`
      : `not measured: models/weights/${name}/ has no eval JSON (${EVAL_FILES.join(', ')})`;

  return {
    name,
    label: MODEL_INFO[name].label,
    blurb: MODEL_INFO[name].blurb,
    card,
    cardMarkdown,
    facts: {
      parameters: params?.count ?? null,
      parametersFrom: params?.file ?? null,
      completedSteps: log?.completedSteps ?? null,
      totalSteps: log?.totalSteps ?? null,
      trainSeconds: log ? trainSeconds(log) : null,
      backend: log?.backend ?? null,
      seed: log?.seed ?? null,
      startedAt: log?.startedAt ?? null,
      finishedAt: log?.updatedAt ?? null,
      resumes: log?.resumes ?? [],
      best: log?.best ?? null,
      trainCommand: card?.trainCommand ?? null,
    },
    charts: log ? chartsFromLog(log, name) : [],
    otherRuns,
    harmony,
    harmonyNotMeasured,
    realTwins: findRealTwins(evals),
    evalFiles: evals.map((f) => ({ name: f.name, figures: flattenFigures(f.json) })),
    problems,
  };
}

/** Every model of the AI contract, in its order. */
export function loadModelStudio(root = weightsDir()): ModelStudioEntry[] {
  return MODEL_NAMES.map((name) => loadModel(name, root));
}

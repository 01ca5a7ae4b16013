// A model worker thread: keeps one initialised generator per model family and runs one generation
// at a time, so inference never blocks the server's event loop. Progress is throttled before it
// crosses the thread boundary; an abort message trips the generation's AbortSignal (a generation
// that ignores it is terminated by the pool after a grace period).
import { parentPort } from 'node:worker_threads';
import { createVersionGenerator } from '../../models/studio/generator';
import { generateSteered } from '../../models/decoding/steer';
import { DEFAULT_STEER } from '../../lib/ai/contract';
import { ticksPerBar } from '../../lib/score/types';
import type { Generator, ModelName } from '../../models/generator';
import type { FromWorker, RunMessage, ToWorker, WireError } from './protocol';

if (!parentPort) throw new Error('server/jobs/worker.ts must run in a worker thread');
const port = parentPort;
const send = (m: FromWorker): void => port.postMessage(m);

// Keyed by model and weights directory: the committed weights, and the few registry versions used lately.
const generators = new Map<string, Promise<Generator>>();
const MAX_VERSIONS_LOADED = 3;
const running = new Map<number, AbortController>();

function generatorFor(model: ModelName, weightsDir?: string): Promise<Generator> {
  const key = weightsDir ? `${model}:${weightsDir}` : model;
  let g = generators.get(key);
  if (g) {
    // Most recently used last, so the eviction below drops the least recently used version.
    generators.delete(key);
    generators.set(key, g);
  } else {
    g = createVersionGenerator(model, weightsDir).then(async (gen) => {
      await gen.initialize();
      return gen;
    });
    // A failed load is not cached, so a later request (e.g. after weights land) can retry.
    g.catch(() => generators.delete(key));
    generators.set(key, g);
    const versions = [...generators.keys()].filter((k) => k.includes(':'));
    for (const old of versions.slice(0, Math.max(0, versions.length - MAX_VERSIONS_LOADED))) {
      void generators.get(old)?.then((gen) => gen.dispose(), () => undefined);
      generators.delete(old);
    }
  }
  return g;
}

function toWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const issues = (err as { issues?: unknown }).issues;
  return {
    name: err.name,
    message: err.message,
    code: typeof code === 'string' ? code : 'generator_error',
    ...(Array.isArray(issues) ? { issues: issues.map(String) } : {}),
  };
}

function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* deliberately blocks this thread: only terminate() ends it */
  }
}

async function run(m: RunMessage): Promise<void> {
  const ctrl = new AbortController();
  running.set(m.runId, ctrl);
  const t0 = performance.now();
  let lastSent = 0;
  try {
    if (m.debug?.crash) process.exit(1); // in a worker thread this ends the thread, not the server
    if (m.debug?.spinMs) spin(m.debug.spinMs);
    const gen = await generatorFor(m.model, m.weightsDir);
    if (!gen.tasks.includes(m.request.task))
      throw Object.assign(new Error(`${m.model} does not offer the task "${m.request.task}" (it offers ${gen.tasks.join(', ')})`), {
        code: 'invalid_params',
        name: 'GeneratorParamError',
      });
    const onProgress = (fraction: number) => {
      const now = performance.now();
      if (now - lastSent < 50 && fraction < 1) return;
      lastSent = now;
      send({ type: 'progress', runId: m.runId, fraction: Math.min(1, Math.max(0, fraction)) });
    };
    // Steering knobs (rhythm, density, voice ranges, similarity) act around the model, the same for all three.
    const { draftsTried, draftChosen, ...result } = await generateSteered(
      (seed, progress) => gen.generate(m.score, { ...m.request, seed }, { signal: ctrl.signal, onProgress: progress }),
      { seed: m.request.seed ?? 0, steer: m.steer ?? DEFAULT_STEER, previous: m.previous ?? null, score: m.score, request: m.request, ticksPerBar: ticksPerBar(m.score.meta.timeSignature), onProgress },
    );
    result.stats = { ...result.stats, drafts_tried: draftsTried, draft_chosen: draftChosen };
    if (ctrl.signal.aborted) throw Object.assign(new Error('generation was cancelled'), { code: 'aborted' });
    send({ type: 'done', runId: m.runId, result, ms: performance.now() - t0 });
  } catch (e) {
    send({ type: 'failed', runId: m.runId, error: ctrl.signal.aborted ? { ...toWire(e), code: 'aborted' } : toWire(e) });
  } finally {
    running.delete(m.runId);
  }
}

async function preload(models: readonly ModelName[]): Promise<void> {
  for (const model of models) {
    const t0 = performance.now();
    try {
      await generatorFor(model);
      send({ type: 'preloaded', model, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      send({ type: 'preloaded', model, ok: false, ms: performance.now() - t0, error: (e as Error).message });
    }
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'run') void run(m);
  else if (m.type === 'abort') running.get(m.runId)?.abort();
  else if (m.type === 'preload') void preload(m.models);
});
send({ type: 'ready' });

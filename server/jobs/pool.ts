// A fixed-size pool of model worker threads fed from a FIFO. Each worker runs one generation at a
// time. A generation that outlives its timeout, or a cancelled one that ignores its abort signal,
// has its worker terminated; a worker that dies for any reason is replaced, and only the run it
// was carrying fails, so one bad request never takes the server or other sessions with it.
import { Worker } from 'node:worker_threads';
import type { GenerateRequest, GenerateResult, ModelName } from '../../models/generator';
import type { Score } from '../../lib/score';
import type { FromWorker, RunMessage, WireError } from './protocol';
import type { DebugHooks } from './schema';
import type { SteerKnobs } from '../../lib/ai/contract';

export type RunFailureCode = 'timeout' | 'cancelled' | 'worker_crashed' | 'invalid_params' | 'generator_error' | 'pool_closed';

export class RunError extends Error {
  constructor(
    message: string,
    readonly code: RunFailureCode,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RunError';
  }
}

export interface RunTask {
  model: ModelName;
  score: Score;
  request: GenerateRequest;
  steer?: SteerKnobs;
  previous?: { pitch: number; start: number }[] | null;
  /** A registry version's weights (server/studio); omitted = the committed ones. */
  weightsDir?: string;
  debug?: DebugHooks;
}

export interface RunOptions {
  onStart?: () => void;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface RunOutput {
  result: GenerateResult;
  ms: number;
}

interface Pending {
  runId: number;
  task: RunTask;
  opts: RunOptions;
  resolve(v: RunOutput): void;
  reject(e: RunError): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current: (Pending & { timer?: NodeJS.Timeout; killTimer?: NodeJS.Timeout; ending?: RunError }) | null;
}

export interface PoolOptions {
  size: number;
  cancelGraceMs: number;
  preload?: readonly ModelName[];
  /** Scheduling niceness of the model threads (0–19; queue workers); the calling thread is untouched. */
  nice?: number;
  log?: (msg: string) => void;
}

const ENTRY = new URL('./worker.ts', import.meta.url).href;
const BOOT = new URL('./worker-boot.mjs', import.meta.url);

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextRunId = 1;
  private closed = false;
  private startFailures = 0;
  /** Workers replaced after a crash, timeout or unresponsive cancel (for tests and /stats). */
  replaced = 0;

  private started = false;

  // Workers start on the first request, not with the server: a server nobody asks for
  // accompaniment (and every test server) never pays for loading three models.
  constructor(private readonly opts: PoolOptions) {}

  /** Starts the workers now (they preload the models) instead of on the first request. */
  warm(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (let i = 0; i < this.opts.size; i++) this.spawn();
  }

  get size(): number {
    return this.slots.size;
  }

  get isWarm(): boolean {
    return this.started;
  }

  get busy(): number {
    let n = 0;
    for (const s of this.slots) if (s.current) n++;
    return n;
  }

  run(task: RunTask, opts: RunOptions): Promise<RunOutput> {
    if (this.closed) return Promise.reject(new RunError('the job pool is shut down', 'pool_closed'));
    return new Promise<RunOutput>((resolve, reject) => {
      const p: Pending = { runId: this.nextRunId++, task, opts, resolve, reject };
      if (opts.signal?.aborted) return reject(new RunError('cancelled before it started', 'cancelled'));
      opts.signal?.addEventListener('abort', () => this.cancel(p), { once: true });
      this.queue.push(p);
      this.warm();
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new RunError('the server is shutting down', 'pool_closed'));
    const all = [...this.slots];
    this.slots.clear();
    for (const s of all) {
      if (s.current) this.settle(s, new RunError('the server is shutting down', 'pool_closed'));
    }
    await Promise.all(all.map((s) => s.worker.terminate().catch(() => 0)));
  }

  private spawn(): void {
    if (this.closed) return;
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, nice: this.opts.nice ?? 0 }, stdout: false, stderr: false });
    const slot: Slot = { worker, ready: false, current: null };
    this.slots.add(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => this.opts.log?.(`jobs: worker error: ${e.message}`));
    worker.on('exit', (code) => this.onExit(slot, code));
    worker.unref();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'ready') {
      slot.ready = true;
      if (this.opts.preload?.length) slot.worker.postMessage({ type: 'preload', models: this.opts.preload });
      this.dispatch();
      return;
    }
    if (m.type === 'preloaded') {
      if (!m.ok) this.opts.log?.(`jobs: worker could not preload ${m.model}: ${m.error}`);
      return;
    }
    const cur = slot.current;
    if (!cur || cur.runId !== m.runId) return; // a late message of a run already settled
    if (m.type === 'progress') cur.opts.onProgress?.(m.fraction);
    else if (m.type === 'done') this.settle(slot, null, { result: m.result, ms: m.ms });
    else this.settle(slot, fromWire(m.error, cur.ending));
  }

  private onExit(slot: Slot, code: number): void {
    const wasOurs = this.slots.delete(slot);
    if (slot.current) {
      const why = slot.current.ending ?? new RunError(`the model worker crashed (exit code ${code}); the job was stopped`, 'worker_crashed');
      this.settle(slot, why);
    }
    if (wasOurs && !this.closed) {
      this.replaced++;
      // A worker that dies before it is ready (a broken install) must not become a spawn loop.
      this.startFailures = slot.ready ? 0 : this.startFailures + 1;
      const delay = this.startFailures ? Math.min(10_000, 200 * 2 ** this.startFailures) : 0;
      this.opts.log?.(`jobs: replacing a model worker (exit code ${code})${delay ? ` in ${delay} ms` : ''}`);
      if (delay) setTimeout(() => this.spawn(), delay).unref();
      else this.spawn();
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.current) continue;
      const p = this.queue.shift();
      if (!p) return;
      slot.current = p;
      const msg: RunMessage = {
        type: 'run',
        runId: p.runId,
        model: p.task.model,
        score: p.task.score,
        request: p.task.request,
        ...(p.task.steer ? { steer: p.task.steer } : {}),
        ...(p.task.previous ? { previous: p.task.previous } : {}),
        ...(p.task.weightsDir ? { weightsDir: p.task.weightsDir } : {}),
        ...(p.task.debug ? { debug: p.task.debug } : {}),
      };
      slot.current.timer = setTimeout(() => this.kill(slot, new RunError(`the model took longer than ${Math.round(p.opts.timeoutMs / 1000)} s and was stopped`, 'timeout')), p.opts.timeoutMs);
      p.opts.onStart?.();
      slot.worker.postMessage(msg);
    }
  }

  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      p.reject(new RunError('cancelled', 'cancelled'));
      return;
    }
    for (const slot of this.slots) {
      if (slot.current?.runId !== p.runId) continue;
      slot.current.ending = new RunError('cancelled', 'cancelled');
      slot.worker.postMessage({ type: 'abort', runId: p.runId });
      // Inference is synchronous between progress callbacks; if it does not notice, kill it.
      slot.current.killTimer = setTimeout(() => this.kill(slot, slot.current!.ending!), this.opts.cancelGraceMs);
    }
  }

  /** Terminates the worker carrying a run; the exit handler fails the run and spawns a replacement. */
  private kill(slot: Slot, why: RunError): void {
    if (!slot.current) return;
    slot.current.ending = why;
    void slot.worker.terminate();
  }

  private settle(slot: Slot, err: RunError | null, out?: RunOutput): void {
    const cur = slot.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    clearTimeout(cur.killTimer);
    slot.current = null;
    if (err) cur.reject(err);
    else cur.resolve(out!);
    queueMicrotask(() => this.dispatch());
  }
}

function fromWire(e: WireError, ending: RunError | undefined): RunError {
  if (ending) return ending;
  if (e.code === 'aborted') return new RunError('cancelled', 'cancelled');
  if (e.code === 'invalid_params') return new RunError(e.message, 'invalid_params', e.issues ?? []);
  return new RunError(`${e.name}: ${e.message}`, 'generator_error');
}

// Where compaction's fold runs. Encoding a session near the 16 MB limit takes seconds; on the main
// thread every session of the instance waited that long (bench:sync --flood showed 3-4 s stalls in
// a quiet room while another room was compacted). Large folds go to one worker thread, started on
// the first one and stopped after `idleMs` without work, so an idle server holds no extra isolate
// (bench:memory). Small folds stay inline: a thread hop costs more than folding a few hundred KB.
//
// A fold that fails in the worker (a corrupt update) rejects like the inline fold would. If the
// worker itself dies or cannot start, the fold runs inline instead: compaction must not stop
// working because the thread did.
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../ops/ts-worker';
import { compactionFolds } from '../ops/metrics';
import { foldUpdates, type Folded } from './fold';

export interface FoldRequest {
  id: number;
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

export type FoldReply = { id: number; ok: true; snapshot: Uint8Array; title: string } | { id: number; ok: false; message: string };

export interface FoldRunnerOptions {
  /** Folds of fewer stored bytes than this run inline. */
  inlineBelowBytes: number;
  /** The worker stops after this long without a fold. */
  idleMs: number;
  log?: (msg: string, err?: unknown) => void;
}

export const DEFAULT_FOLD_RUNNER: FoldRunnerOptions = { inlineBelowBytes: 512 * 1024, idleMs: 10_000 };

/** A fold that failed in the worker: the session's data, not the thread. */
export class FoldError extends Error {
  name = 'FoldError';
}

interface Pending {
  resolve(f: Folded): void;
  reject(e: Error): void;
  request: FoldRequest;
}

export class FoldRunner {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  /** How many folds ran where (introspection and tests). */
  readonly counts = { inline: 0, worker: 0, fallback: 0 };

  constructor(private readonly opts: FoldRunnerOptions = DEFAULT_FOLD_RUNNER) {}

  /** True while the worker thread exists (it stops after idleMs without work). */
  get running(): boolean {
    return this.worker !== null;
  }

  async fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Promise<Folded> {
    const size = (snapshot?.length ?? 0) + updates.reduce((n, u) => n + u.length, 0);
    if (size < this.opts.inlineBelowBytes) {
      this.count('inline');
      return foldUpdates(snapshot, updates);
    }
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (err) {
      this.opts.log?.('[fold] worker thread did not start; folding on the main thread', err);
      this.count('fallback');
      return foldUpdates(snapshot, updates);
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const request: FoldRequest = { id: this.nextId++, snapshot, updates: [...updates] };
    return new Promise<Folded>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject, request });
      worker.postMessage(request);
    });
  }

  /** Stops the worker; folds in flight finish inline. */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const w = this.worker;
    if (w) await w.terminate();
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const { worker: w, ready } = startTsWorker(new URL('./fold-worker.ts', import.meta.url), { name: 'fold worker' });
    this.worker = w;
    this.ready = ready;
    w.on('message', (m: FoldReply | { ready: true }) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) {
        this.count('worker');
        p.resolve({ snapshot: m.snapshot, title: m.title });
      } else p.reject(new FoldError(m.message));
      this.armIdle();
    });
    w.once('error', (err) => this.opts.log?.('[fold] worker thread failed', err));
    w.once('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      this.ready = null;
      // What it still held is folded here: the caller gets its snapshot either way.
      const left = [...this.pending.values()];
      this.pending.clear();
      for (const p of left) {
        this.count('fallback');
        try {
          p.resolve(foldUpdates(p.request.snapshot, p.request.updates));
        } catch (err) {
          p.reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
    return ready;
  }

  private count(where: keyof FoldRunner['counts']): void {
    this.counts[where]++;
    compactionFolds.inc({ where });
  }

  private armIdle(): void {
    if (this.pending.size > 0 || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0) void this.close();
    }, this.opts.idleMs);
    this.idleTimer.unref();
  }
}

// A worker thread on one of our TypeScript modules. The entry is loaded through tsx by
// server/jobs/worker-boot.mjs (a worker starts with a bare module loader, in the compiled server
// too); the module says `{ ready: true }` once it can take work. Shared by the threads started on
// first use (the explain worker, the fold worker).
import { Worker } from 'node:worker_threads';

export interface StartedWorker {
  worker: Worker;
  /** Resolves when the module is ready; rejects on an error, or an exit before it was ready. */
  ready: Promise<Worker>;
}

export function startTsWorker(entry: URL, opts: { name: string }): StartedWorker {
  const worker = new Worker(new URL('../jobs/worker-boot.mjs', import.meta.url), { workerData: { entry: entry.href } });
  // A job in flight keeps its own promise; the thread alone must not hold the process open.
  worker.unref();
  const ready = new Promise<Worker>((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if ((m as { ready?: boolean } | null)?.ready !== true) return;
      worker.off('message', onMessage);
      resolve(worker);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    // An entry that ends before it is ready, without an error, fails the start instead of leaving
    // it (and everything queued behind it) waiting forever. After ready, this is a no-op.
    worker.once('exit', (code) => reject(new Error(`the ${opts.name} exited before it was ready (exit code ${code})`)));
  });
  return { worker, ready };
}

// Entry of every model worker thread. The server runs TypeScript through tsx, but a worker thread
// starts with a bare module loader (and `execArgv: ['--import', 'tsx']` does not reach the worker's
// entry on Node 20), so we register tsx's ESM hooks here before importing the real worker module.
// `nice`: this thread's own scheduling niceness (on Linux a priority set from a thread is that
// thread's), so a queue worker's inference yields the cores while its main thread keeps its locks.
import os from 'node:os';
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

if (workerData.nice) {
  try {
    os.setPriority(workerData.nice);
  } catch {
    /* not permitted here: run at the normal priority */
  }
}
register();
await import(workerData.entry);

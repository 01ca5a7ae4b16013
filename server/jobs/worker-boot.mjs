// Entry of every model worker thread. The server runs TypeScript through tsx, but a worker thread
// starts with a bare module loader (and `execArgv: ['--import', 'tsx']` does not reach the worker's
// entry on Node 20), so we register tsx's ESM hooks here before importing the real worker module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);

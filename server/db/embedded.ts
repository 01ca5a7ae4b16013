// The embedded database: PGlite (PostgreSQL compiled to WASM) keeping its files under DATA_DIR,
// served on a loopback port by pglite-socket so Prisma reaches it through the same adapter-pg
// path as a real PostgreSQL server. One schema and one migration history serve both modes.
// It runs in a worker thread (pglite-worker.mjs) so queries do not block the server's event loop.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const HOST = new URL('./pglite-worker.mjs', import.meta.url);

export interface EmbeddedDb {
  url: string;
  close(): Promise<void>;
}

type WorkerReply = { ready: true; port: number } | { error: string } | { closed: true };

export async function startEmbeddedDb(dataDir: string): Promise<EmbeddedDb> {
  const dir = path.resolve(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    // First start: initdb leaves PGlite's WASM heap at ~0.9 GB, and WASM memory never shrinks.
    // Initialise in a short-lived child process: a throwaway worker thread gave the heap back
    // only in part (the server idled ~110 MB larger after a first start than after a restart).
    await initDataDir(dir);
  }
  return startWorker(dir);
}

function initDataDir(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Plain JS: started without the parent's loaders (e.g. tsx) or flags.
    execFile(process.execPath, [fileURLToPath(HOST), '--init', dir], { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`could not create the embedded database in ${dir}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

async function startWorker(dir: string): Promise<EmbeddedDb> {
  // The worker is plain JS and needs none of the parent's loaders (e.g. tsx).
  // A small young generation: the worker's JS only shuttles protocol messages, and V8's default
  // (16 MB semi-spaces) stays resident once touched.
  const worker = new Worker(HOST, { workerData: { dir }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`embedded database worker exited (${code}) while starting`)));
    worker.once('message', (m: WorkerReply) => {
      if ('ready' in m) resolve(m.port);
      else reject(new Error(`embedded database in ${dir} failed to start: ${'error' in m ? m.error : 'unexpected reply'}`));
    });
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (err) => console.error('[db] embedded database worker failed', err));
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (m: WorkerReply) => 'closed' in m && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

// Host of the embedded database: PGlite (PostgreSQL in WASM) and the pglite-socket server in
// front of it. PGlite executes queries synchronously on its thread; here that thread is not the
// server's event loop, so database work never delays websocket fan-out.
// Plain JS so it needs no TypeScript loader. Two ways to run it (server/db/embedded.ts):
//   - as a worker thread, serving. Protocol with the parent (postMessage):
//       → workerData { dir }        start on this data directory
//       ← { ready: true, port } | { error }
//       → 'close'                   stop serving, close the database
//       ← { closed: true }
//   - as a child process (`node pglite-worker.mjs --init <dir>`): create a new data directory
//     (initdb), close it and exit 0. Its memory goes back to the system with the process.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

// Memory: PostgreSQL's default shared_buffers (128 MB) is allocated and touched inside PGlite's
// WASM heap at start, and a WASM heap never shrinks. One embedded session-store connection needs
// far less: 8 MB of buffers (1,024 pages; 16 MB kept an idle server ~130 MB smaller than 128, 8 MB
// ~10 MB more) holds the hot pages (the session rows, the newest update log pages), and the
// operating system's page cache still holds the data files. max_connections sizes the shared
// lock and process tables: PGlite is one single-user backend (pglite-socket serves one
// connection), and 100 slots cost ~10 MB for nothing. Settings go on the command line
// (startParams) so the data directory's postgresql.conf is left as it is.
const MEMORY_SETTINGS = ['shared_buffers=8MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'wal_buffers=1MB', 'max_connections=5'];
const startParams = [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((s) => ['-c', s])];

/**
 * Opens PGlite with its WASM compiled by V8's baseline compiler (Liftoff) only. By default V8
 * also recompiles hot functions with its optimising compiler (TurboFan) in background threads;
 * for the 9 MB PostgreSQL module that kept ~40 MB more resident (code plus the compilers' freed
 * but unreturned memory) for no measurable gain on the session store's small queries (bench:memory,
 * bench:sync cold load). The flag is read when a module is compiled, and the module is compiled
 * inside PGlite.create: it is set around that call only, so other WASM in the process (the AI
 * models' tfjs backend, compiled later in job workers) keeps optimising. Nothing else compiles
 * WASM while the database starts: the server opens it before it listens, and job workers start
 * on the first job.
 */
async function openPGlite(dir) {
  v8.setFlagsFromString('--liftoff-only');
  try {
    return await PGlite.create(dir, { startParams });
  } finally {
    v8.setFlagsFromString('--no-liftoff-only');
  }
}

/**
 * One full collection once PGlite has started: loading its file-system bundle and starting
 * PostgreSQL leaves ~10 MB of JS garbage that an idle worker would otherwise keep (no new
 * allocations, so no GC). `--expose-gc` applies to contexts made after it is set: a fresh one
 * hands out gc() (same as server/ops/memory.ts, which this plain-JS worker cannot import).
 */
function collectGarbage() {
  try {
    v8.setFlagsFromString('--expose-gc');
    runInNewContext('gc')();
  } catch {
    // an engine without it: nothing to give back
  }
}

if (isMainThread) {
  if (process.argv[2] !== '--init' || !process.argv[3]) {
    console.error('usage: node pglite-worker.mjs --init <data dir> (otherwise it runs as a worker thread)');
    process.exit(2);
  }
  // Child process: initdb leaves PGlite's WASM heap at ~0.9 GB, and WASM memory never shrinks
  // (nor, in a worker thread, does the allocator give all of it back). A process does.
  try {
    const db = await PGlite.create(process.argv[3], { startParams });
    await db.close();
    process.exit(0);
  } catch (err) {
    console.error(String(err?.stack ?? err));
    process.exit(1);
  }
} else {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let db;
  let server;
  try {
    db = await openPGlite(workerData.dir);
    collectGarbage();
    // PGlite is a single session: one connection keeps transactions from interleaving.
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    const conn = server.getServerConn();
    parentPort.postMessage({ ready: true, port: Number(conn.slice(conn.lastIndexOf(':') + 1)) });
  } catch (err) {
    parentPort.postMessage({ error: String(err?.stack ?? err) });
  }

  parentPort.on('message', async (msg) => {
    if (msg !== 'close') return;
    try {
      await server?.stop();
      await db?.close();
    } finally {
      parentPort.postMessage({ closed: true });
    }
  });
}

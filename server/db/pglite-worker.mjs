// Worker thread hosting the embedded database: PGlite (PostgreSQL in WASM) and the pglite-socket
// server in front of it. PGlite executes queries synchronously on its thread; here that thread is
// not the server's event loop, so database work never delays websocket fan-out.
// Plain JS so the worker needs no TypeScript loader. Protocol with the parent (postMessage):
//   → { dir }                      start on this data directory
//   ← { ready: true, port } | { error }
//   → 'close'                      stop serving, close the database
//   ← { closed: true }
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

let db;
let server;

// Memory: PostgreSQL's default shared_buffers (128 MB) is allocated and touched inside PGlite's
// WASM heap at start, and a WASM heap never shrinks. One embedded session-store connection needs
// far less: 16 MB of buffers (2,048 pages) keeps an idle server about 130 MB smaller, and the
// operating system's page cache still holds the data files. Settings go on the command line
// (startParams) so the data directory's postgresql.conf is left as it is.
const MEMORY_SETTINGS = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'wal_buffers=1MB'];

try {
  db = await PGlite.create(workerData.dir, { startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((s) => ['-c', s])] });
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

// The embedded database: PGlite (PostgreSQL compiled to WASM) keeping its files under DATA_DIR,
// served on a loopback port by pglite-socket so Prisma reaches it through the same adapter-pg
// path as a real PostgreSQL server. One schema and one migration history serve both modes.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDb {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedDb(dataDir: string): Promise<EmbeddedDb> {
  const dir = path.resolve(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // PGlite is a single session: one connection serialises every query and keeps transactions
  // from different pool clients from interleaving.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!port) throw new Error(`embedded database did not report its port (got "${conn}")`);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

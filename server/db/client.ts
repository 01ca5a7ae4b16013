// Opens Tutti's database: the embedded PGlite under DATA_DIR by default, or the PostgreSQL server
// named by DATABASE_URL. Either way: a pg pool, migrations applied, and a Prisma client on top.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { startEmbeddedDb, type EmbeddedDb } from './embedded';
import { migrate } from './migrate';
import { createPool, type CatalogTextPool } from './pool';

export interface DatabaseOptions {
  /** postgresql://… for a PostgreSQL server; when absent, the embedded database under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to live in (tests isolate runs this way); created if missing. */
  schema?: string;
}

export interface Database {
  prisma: PrismaClient;
  pool: CatalogTextPool;
  mode: 'embedded' | 'postgres';
  /** Connection string other processes (e.g. job workers) can use while this one runs. */
  url: string;
  schema?: string;
  close(): Promise<void>;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedDb | undefined;
  let url = opts.databaseUrl;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must be a postgresql:// URL (got "${url.split(':')[0]}:…")`);
  if (!url) {
    embedded = await startEmbeddedDb(opts.dataDir);
    url = embedded.url;
  }
  // Prisma's convention: postgresql://…?schema=name selects a schema; pg itself ignores it.
  const parsed = new URL(url);
  const schema = opts.schema ?? (parsed.searchParams.get('schema') || undefined);
  parsed.searchParams.delete('schema');
  url = parsed.toString();
  const pool = createPool({ connectionString: url, schema, max: embedded ? 1 : 10 });
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.close().catch(() => {});
    throw err;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, schema ? { schema } : undefined) });
  return {
    prisma,
    pool,
    mode: embedded ? 'embedded' : 'postgres',
    url,
    schema,
    async close() {
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
      await embedded?.close();
    },
  };
}

// A pg.Pool that Prisma's JS schema engine can introspect with. The engine reads pg_catalog
// columns typed "char" (OID 18) and name (OID 19); adapter-pg has no mapping for them, so we
// report them as text (OID 25). Row values are already text on the wire, so nothing else changes.
import pg from 'pg';

const TEXT_OID = 25;
const CATALOG_TEXT_OIDS = new Set([18, 19]);

type QueryResultLike = { fields?: { dataTypeID: number }[] } | undefined;

function relabel<T>(result: T): T {
  const fields = (result as QueryResultLike)?.fields;
  if (fields) for (const f of fields) if (CATALOG_TEXT_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  return result;
}

export class CatalogTextPool extends pg.Pool {
  // pg's query has many overloads; we only post-process promise results (what adapter-pg uses).
  override query(...args: unknown[]): any {
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return out instanceof Promise ? out.then(relabel) : out;
  }
}

export interface PoolOptions {
  connectionString: string;
  /** Postgres schema to use (search_path); tests isolate each run in its own schema. */
  schema?: string;
  max?: number;
}

export function createPool(opts: PoolOptions): CatalogTextPool {
  return new CatalogTextPool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    ...(opts.schema ? { options: `-c search_path="${opts.schema}"` } : {}),
  });
}

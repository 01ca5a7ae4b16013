// DocStore on Prisma (PostgreSQL or embedded PGlite). Compaction locks the session row, reads the
// snapshot and the log, replays them into a scratch Y.Doc (so deleted content is garbage-collected),
// then writes the snapshot and deletes exactly the log rows it read, by id, in that transaction.
// The replay (./fold.ts) of a large session runs on a worker thread (./fold-runner.ts).
// Rows appended meanwhile survive, and concurrent compactions (several instances) take turns.
import type { PrismaClient } from '../db/generated/client';
import { FoldRunner } from './fold-runner';
import { SessionNotFoundError, type CompactionResult, type DocStore, type SessionLinkColumns, type SessionRecord, type StoredDoc } from './store';

/** The same bytes as a Buffer, no copy (pg sends Buffers as bytea). */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

// Prisma's Bytes type wants a Uint8Array over a plain ArrayBuffer; Yjs's are typed more loosely.
const bytes = (u: Uint8Array): Uint8Array<ArrayBuffer> => (u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u));

const toRecord = (s: { id: string; title: string; createdAt: Date; updatedAt: Date }): SessionRecord => ({
  id: s.id,
  title: s.title,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** What identifies a session's stored snapshot: when it was written (ms) and its size. Every compaction changes it. */
const STAMP = `coalesce("snapshotAt"::text, '') || ':' || coalesce(octet_length("snapshot"), -1)`;

/** A connection of the pool, for a transaction. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(err?: Error | boolean): void;
}

/**
 * The slice of pg.Pool the document paths need (search_path already set per connection). Appends,
 * loads and compaction read and write the bytes here rather than through Prisma: adapter-pg
 * converts every bytea value through per-byte JavaScript, which for a session near the 16 MB
 * limit held the main thread for seconds (bench:sync --flood profile), and its query compiler
 * chewed on compaction's list of thousands of row ids.
 */
export interface SqlPool {
  query(sql: string, params: unknown[]): Promise<unknown>;
  connect(): Promise<SqlClient>;
}

interface PendingAppend {
  sessionId: string;
  data: Uint8Array;
  resolve(): void;
  reject(err: unknown): void;
}

export class PrismaDocStore implements DocStore {
  private appends: PendingAppend[] = [];
  private drainScheduled = false;

  /**
   * `pool` carries the document's bytes (see SqlPool): appends from every room that flush in the
   * same tick become one multi-row INSERT with no query compiled on the event loop (the path every
   * edit takes), and loads and compactions read bytea as plain Buffers. Prisma does the rest.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: SqlPool,
    /** Where compaction folds: large sessions on a worker thread (the server passes one with its log; close it at shutdown). */
    private readonly folds: FoldRunner = new FoldRunner(),
  ) {}

  async createSession(id: string, title: string, initialState: Uint8Array, links?: SessionLinkColumns): Promise<SessionRecord> {
    const s = await this.prisma.session.create({ data: { id, title, snapshot: bytes(initialState), snapshotAt: new Date(), ...links } });
    return toRecord(s);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const s = await this.prisma.session.findUnique({ where: { id }, select: { id: true, title: true, createdAt: true, updatedAt: true } });
    return s && toRecord(s);
  }

  async loadDoc(id: string): Promise<StoredDoc | null> {
    const s = (await this.pool.query('SELECT "snapshot" FROM "Session" WHERE "id" = $1', [id])) as { rows: { snapshot: Buffer | null }[] };
    if (s.rows.length === 0) return null;
    const rows = (await this.pool.query('SELECT "data" FROM "DocUpdate" WHERE "sessionId" = $1 ORDER BY "id"', [id])) as { rows: { data: Buffer }[] };
    return { snapshot: s.rows[0]!.snapshot, updates: rows.rows.map((r) => r.data) };
  }

  async appendUpdate(id: string, update: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.appends.push({ sessionId: id, data: update, resolve, reject });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => void this.drainAppends());
      }
    });
  }

  private async drainAppends(): Promise<void> {
    this.drainScheduled = false;
    const batch = this.appends.splice(0);
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const rows = batch.map((a) => {
      params.push(a.sessionId, asBuffer(a.data));
      return `($${params.length - 1}, $${params.length})`;
    });
    try {
      await this.pool.query(`INSERT INTO "DocUpdate" ("sessionId", "data") VALUES ${rows.join(', ')}`, params);
      for (const a of batch) a.resolve();
    } catch (err) {
      for (const a of batch) a.reject(err);
    }
  }

  async compact(id: string): Promise<CompactionResult> {
    // Three steps, so no database connection is held while a large session folds (seconds at the
    // 16 MB limit; the embedded database has one connection, which every room's appends and
    // /readyz also need):
    // 1. read the snapshot, its stamp (when and how big it was written) and the log rows, no lock;
    // 2. fold them, on the fold worker when large (./fold-runner.ts);
    // 3. in one transaction holding the session row (FOR NO KEY UPDATE: appends, which only take a
    //    key share lock through the foreign key, are not blocked), write the fold only if the stamp
    //    is unchanged — no other compaction (another instance) replaced the snapshot since step 1,
    //    so nothing is lost by overwriting it — and delete exactly the rows it folded, by id (an id
    //    range could also take a row whose smaller id was allocated before the read but committed
    //    after it). With a changed stamp it writes nothing: the other compaction folded some of
    //    these rows and the rest are still in the log for the next one
    //    (tests/integration/scaleout-persistence.test.ts races two instances).
    const head = (await this.pool.query(`SELECT "snapshot", ${STAMP} AS "stamp" FROM "Session" WHERE "id" = $1`, [id])) as {
      rows: { snapshot: Buffer | null; stamp: string }[];
    };
    if (head.rows.length === 0) throw new SessionNotFoundError(id);
    const { snapshot: current, stamp } = head.rows[0]!;
    const rows = ((await this.pool.query('SELECT "id", "data" FROM "DocUpdate" WHERE "sessionId" = $1 ORDER BY "id"', [id])) as { rows: { id: string; data: Buffer }[] })
      .rows;
    if (rows.length === 0) return { merged: 0, snapshotBytes: current?.length ?? 0 };
    const { snapshot, title } = await this.folds.fold(
      current,
      rows.map((r) => r.data),
    );
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const locked = await client.query(`SELECT ${STAMP} AS "stamp" FROM "Session" WHERE "id" = $1 FOR NO KEY UPDATE`, [id]);
      if (locked.rows.length === 0) throw new SessionNotFoundError(id);
      if (locked.rows[0]!.stamp !== stamp) {
        await client.query('COMMIT');
        return { merged: 0, snapshotBytes: current?.length ?? 0 };
      }
      // Prisma keeps DateTime columns as UTC wall time (timestamp without time zone): an ISO string does the same.
      const at = new Date().toISOString();
      await client.query('UPDATE "Session" SET "snapshot" = $2, "snapshotAt" = $3, "updatedAt" = $3, "title" = $4 WHERE "id" = $1', [
        id,
        asBuffer(snapshot),
        at,
        title,
      ]);
      await client.query('DELETE FROM "DocUpdate" WHERE "id" = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      await client.query('COMMIT');
      return { merged: rows.length, snapshotBytes: snapshot.length };
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      // A connection whose ROLLBACK may not have gone through is not handed back to the pool.
      client.release(failed && !(failed instanceof SessionNotFoundError) ? failed : undefined);
    }
  }

  async storedBytes(id: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ bytes: bigint | number | null }[]>`
      SELECT COALESCE((SELECT octet_length("snapshot") FROM "Session" WHERE "id" = ${id}), 0)
           + COALESCE((SELECT SUM(octet_length("data")) FROM "DocUpdate" WHERE "sessionId" = ${id}), 0) AS bytes`;
    return Number(rows[0]?.bytes ?? 0);
  }
}

// DocStore on Prisma (PostgreSQL or embedded PGlite). Compaction locks the session row, reads the
// snapshot and the log, replays them into a scratch Y.Doc (so deleted content is garbage-collected),
// then writes the snapshot and deletes exactly the log rows it read, by id, in that transaction.
// The replay (./fold.ts) of a large session runs on a worker thread (./fold-runner.ts).
// Rows appended meanwhile survive, and concurrent compactions (several instances) take turns.
import type { PrismaClient } from '../db/generated/client';
import { FoldRunner } from './fold-runner';
import { SessionNotFoundError, type CompactionResult, type DocStore, type SessionLinkColumns, type SessionRecord, type StoredDoc } from './store';

// Prisma's Bytes type wants a Uint8Array over a plain ArrayBuffer; Yjs's are typed more loosely.
const bytes = (u: Uint8Array): Uint8Array<ArrayBuffer> => (u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u));

const toRecord = (s: { id: string; title: string; createdAt: Date; updatedAt: Date }): SessionRecord => ({
  id: s.id,
  title: s.title,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** The slice of pg.Pool the hot write path needs (search_path already set per connection). */
export interface SqlPool {
  query(sql: string, params: unknown[]): Promise<unknown>;
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
   * `pool` (optional) takes the append path off Prisma: appends from every room that flush in the
   * same tick become one multi-row INSERT, and no query is compiled on the event loop. This is the
   * path every edit takes, so with many active rooms it matters.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool?: SqlPool,
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
    const s = await this.prisma.session.findUnique({ where: { id }, select: { snapshot: true } });
    if (!s) return null;
    const rows = await this.prisma.docUpdate.findMany({ where: { sessionId: id }, orderBy: { id: 'asc' }, select: { data: true } });
    return { snapshot: s.snapshot, updates: rows.map((r) => r.data) };
  }

  async appendUpdate(id: string, update: Uint8Array): Promise<void> {
    if (!this.pool) {
      await this.prisma.docUpdate.create({ data: { sessionId: id, data: bytes(update) } });
      return;
    }
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
      params.push(a.sessionId, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      return `($${params.length - 1}, $${params.length})`;
    });
    try {
      await this.pool!.query(`INSERT INTO "DocUpdate" ("sessionId", "data") VALUES ${rows.join(', ')}`, params);
      for (const a of batch) a.resolve();
    } catch (err) {
      for (const a of batch) a.reject(err);
    }
  }

  async compact(id: string): Promise<CompactionResult> {
    // One transaction holding the session row (FOR NO KEY UPDATE: appends, which only take a key
    // share lock through the foreign key, are not blocked). With several instances on one
    // database this serialises compactions of a session, so a slower one cannot overwrite a newer
    // snapshot with an older fold (tests/integration/scaleout-persistence.test.ts lost rows that
    // way before). It deletes exactly the rows it folded, by id: an id range could also take a
    // row whose (smaller) id was allocated before the read but committed after it.
    return this.prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<{ snapshot: Uint8Array | null }[]>`SELECT "snapshot" FROM "Session" WHERE "id" = ${id} FOR NO KEY UPDATE`;
        if (locked.length === 0) throw new SessionNotFoundError(id);
        const current = locked[0]!.snapshot;
        const rows = await tx.docUpdate.findMany({ where: { sessionId: id }, orderBy: { id: 'asc' }, select: { id: true, data: true } });
        if (rows.length === 0) return { merged: 0, snapshotBytes: current?.length ?? 0 };
        // A large fold runs on the fold worker thread, not the main thread (./fold-runner.ts).
        const { snapshot, title } = await this.folds.fold(
          current,
          rows.map((r) => r.data),
        );
        await tx.session.update({ where: { id }, data: { snapshot: bytes(snapshot), snapshotAt: new Date(), title } });
        await tx.docUpdate.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
        return { merged: rows.length, snapshotBytes: snapshot.length };
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }

  async storedBytes(id: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ bytes: bigint | number | null }[]>`
      SELECT COALESCE((SELECT octet_length("snapshot") FROM "Session" WHERE "id" = ${id}), 0)
           + COALESCE((SELECT SUM(octet_length("data")) FROM "DocUpdate" WHERE "sessionId" = ${id}), 0) AS bytes`;
    return Number(rows[0]?.bytes ?? 0);
  }
}

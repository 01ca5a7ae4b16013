// Versions in the database (the Version table, prisma/schema.prisma). A version is the session's
// Yjs document as an encoded state (Y.encodeStateAsUpdate), deflate-compressed: encoding the live
// document is the cheapest thing a checkpoint can do on the event loop (no re-reading of 10,000
// notes), and reading it back gives the exact score. Listing never reads the states. Rows cascade
// with their session, and compaction (server/persistence) never touches this table.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import * as Y from 'yjs';
import { notesMap, type Score } from '@/lib/score';
import { scoreFromState } from '@/lib/score/versions';
import type { PrismaClient } from '../db/generated/client';
import { thinAutomatic } from './retention';

export type VersionKind = 'auto' | 'named';

export interface VersionInfo {
  id: string;
  kind: VersionKind;
  name: string | null;
  createdAt: string;
  authors: string[];
  noteCount: number;
  /** Stored bytes of its state (compressed). */
  bytes: number;
}

export interface ForkOrigin {
  sessionId: string;
  title: string | null;
  versionId: string | null;
  /** The version's name or time, when it still exists. */
  versionLabel: string | null;
}

const bytes = (u: Uint8Array): Uint8Array<ArrayBuffer> => (u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u));

/** What a version stores, ready to insert. */
export interface Snapshot {
  /** Deflated Y.encodeStateAsUpdate. */
  state: Uint8Array;
  noteCount: number;
  /** SHA-256 of the encoded state: equal states, equal hashes (no duplicate checkpoints). */
  hash: string;
}

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * A live session document as a version. The state is taken when this is called (encoding reads the
 * live document, so it stays on this thread); compressing it, about as long again (~0.5 s at the
 * 16 MB limit), runs on libuv's thread pool so the instance's other sessions do not wait for it.
 */
export async function snapshotOf(doc: Y.Doc): Promise<Snapshot> {
  const raw = Y.encodeStateAsUpdate(doc);
  const noteCount = notesMap(doc).size;
  return { state: await deflateRaw(raw, { level: 6 }), noteCount, hash: sha256(raw) };
}

export const decodeScore = (stored: Uint8Array): Score => scoreFromState(zlib.inflateRawSync(stored));

/** Decoded versions kept in memory: versions never change, and a preview may be opened by several people. */
const CACHE_MAX = 6;

export const newVersionId = (): string => crypto.randomBytes(12).toString('base64url');

type Row = { id: string; kind: string; name: string | null; createdAt: Date; authors: string[]; noteCount: number };

const toInfo = (r: Row, size: number): VersionInfo => ({
  id: r.id,
  kind: r.kind === 'named' ? 'named' : 'auto',
  name: r.name,
  createdAt: r.createdAt.toISOString(),
  authors: r.authors,
  noteCount: r.noteCount,
  bytes: size,
});

export class VersionStore {
  private readonly decoded = new Map<string, { info: VersionInfo; score: Score }>();

  constructor(private readonly prisma: PrismaClient) {}

  async create(sessionId: string, kind: VersionKind, snap: Snapshot, opts: { name?: string | null; authors?: string[] } = {}): Promise<VersionInfo> {
    const row = await this.prisma.version.create({
      data: {
        id: newVersionId(),
        sessionId,
        kind,
        name: opts.name ?? null,
        authors: opts.authors ?? [],
        noteCount: snap.noteCount,
        state: bytes(snap.state),
        contentHash: snap.hash,
      },
      select: { id: true, kind: true, name: true, createdAt: true, authors: true, noteCount: true },
    });
    return toInfo(row, snap.state.length);
  }

  /** Newest first, without the states. */
  async list(sessionId: string): Promise<VersionInfo[]> {
    const rows = await this.prisma.$queryRaw<(Row & { size: number })[]>`
      SELECT "id", "kind", "name", "createdAt", "authors", "noteCount", octet_length("state")::int AS "size"
      FROM "Version" WHERE "sessionId" = ${sessionId} ORDER BY "createdAt" DESC, "id" DESC`;
    return rows.map((r) => toInfo(r, Number(r.size)));
  }

  async get(sessionId: string, versionId: string): Promise<{ info: VersionInfo; score: Score } | null> {
    const hit = this.decoded.get(versionId);
    if (hit) {
      // Still there? (retention or a session deletion may have removed it since.)
      const exists = await this.prisma.version.count({ where: { id: versionId, sessionId } });
      if (exists) return hit;
      this.decoded.delete(versionId);
      return null;
    }
    const r = await this.prisma.version.findFirst({ where: { id: versionId, sessionId } });
    if (!r) return null;
    const out = { info: toInfo(r, r.state.length), score: decodeScore(r.state) };
    if (this.decoded.size >= CACHE_MAX) this.decoded.delete(this.decoded.keys().next().value!);
    this.decoded.set(versionId, out);
    return out;
  }

  /** The stored (deflated) state as is, for a client that decodes it itself (no work on this thread). */
  async getStored(sessionId: string, versionId: string): Promise<{ info: VersionInfo; state: Uint8Array } | null> {
    const r = await this.prisma.version.findFirst({ where: { id: versionId, sessionId } });
    return r && { info: toInfo(r, r.state.length), state: r.state };
  }

  /** Hash and time of the newest version (any kind), and of the newest automatic one. */
  async latest(sessionId: string): Promise<{ hash: string | null; lastAutoAt: number | null }> {
    const [last, auto] = await Promise.all([
      this.prisma.version.findFirst({ where: { sessionId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { contentHash: true } }),
      this.prisma.version.findFirst({ where: { sessionId, kind: 'auto' }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } }),
    ]);
    return { hash: last?.contentHash ?? null, lastAutoAt: auto ? auto.createdAt.getTime() : null };
  }

  async countNamed(sessionId: string): Promise<number> {
    return this.prisma.version.count({ where: { sessionId, kind: 'named' } });
  }

  /** Applies retention to a session's automatic checkpoints; returns how many were dropped. */
  async thin(sessionId: string, now = Date.now()): Promise<number> {
    const autos = await this.prisma.version.findMany({ where: { sessionId, kind: 'auto' }, select: { id: true, createdAt: true } });
    const drop = thinAutomatic(autos, now);
    if (drop.length === 0) return 0;
    const { count } = await this.prisma.version.deleteMany({ where: { id: { in: drop }, kind: 'auto' } });
    return count;
  }

  async forkOrigin(sessionId: string): Promise<ForkOrigin | null> {
    const s = await this.prisma.session.findUnique({
      where: { id: sessionId },
      select: { forkedFromId: true, forkedFromVersionId: true, forkedFromTitle: true },
    });
    if (!s?.forkedFromId) return null;
    const [parent, version] = await Promise.all([
      this.prisma.session.findUnique({ where: { id: s.forkedFromId }, select: { title: true } }),
      s.forkedFromVersionId ? this.prisma.version.findUnique({ where: { id: s.forkedFromVersionId }, select: { name: true, createdAt: true } }) : null,
    ]);
    return {
      sessionId: s.forkedFromId,
      title: parent?.title ?? s.forkedFromTitle,
      versionId: s.forkedFromVersionId,
      versionLabel: version ? (version.name ?? version.createdAt.toISOString()) : null,
    };
  }

  async markFork(sessionId: string, origin: { parentId: string; parentTitle: string; versionId: string | null }): Promise<void> {
    await this.prisma.session.update({
      where: { id: sessionId },
      data: { forkedFromId: origin.parentId, forkedFromTitle: origin.parentTitle, forkedFromVersionId: origin.versionId },
    });
  }

  /** Total stored bytes of a session's versions. */
  async storedBytes(sessionId: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<
      { bytes: bigint | number | null }[]
    >`SELECT COALESCE(SUM(octet_length("state")), 0) AS bytes FROM "Version" WHERE "sessionId" = ${sessionId}`;
    return Number(rows[0]?.bytes ?? 0);
  }
}

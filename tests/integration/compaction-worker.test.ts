// Compaction folds a large session on a worker thread (server/persistence/fold-runner.ts), so the
// main thread — every other session of the instance — keeps running meanwhile. The fold must be
// exactly the inline one, a corrupt log must fail like it, and a worker that dies mid-fold must
// still leave the caller with its snapshot. Then through the store on the embedded database.
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, readNotes, readTracks, setMeta } from '@/lib/score';
import { openDatabase } from '@/server/db/client';
import { foldUpdates } from '@/server/persistence/fold';
import { FoldError, FoldRunner } from '@/server/persistence/fold-runner';
import { PrismaDocStore } from '@/server/persistence/prisma-store';
import { initialState, newSessionId } from '@/server/sessions';
import { tempDataDir } from '../helpers/server';
import { keyUpdate, waitFor } from './sync-helpers';

/** A session's stored state: its initial snapshot and `rows` log rows of `perRow` notes each (about 60 KB a row at 500). */
function storedSession(rows: number, perRow: number, title = 'Big one'): { snapshot: Uint8Array; updates: Uint8Array[] } {
  const snapshot = initialState(title);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, snapshot);
  const track = readTracks(doc)[0]!.id;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let r = 0; r < rows; r++)
    addNotes(
      doc,
      Array.from({ length: perRow }, (_, i) => ({
        trackId: track,
        pitch: 36 + ((r * perRow + i) % 48),
        start: (r * perRow + i) * 60,
        duration: 60,
        velocity: 80,
      })),
    );
  doc.destroy();
  return { snapshot, updates };
}

/** Event-loop turns (setImmediate) that happen while `p` is pending: 0 when the work ran synchronously on this thread. */
async function turnsWhile<T>(p: Promise<T>): Promise<{ value: T; turns: number }> {
  let done = false;
  let turns = 0;
  const counting = (async () => {
    while (!done) {
      await new Promise<void>((r) => setImmediate(r));
      if (!done) turns++;
    }
  })();
  const value = await p.finally(() => {
    done = true;
  });
  await counting;
  return { value, turns };
}

describe('compaction on a worker thread', () => {
  const runners: FoldRunner[] = [];
  const runner = (opts: Partial<ConstructorParameters<typeof FoldRunner>[0]> = {}) => {
    const r = new FoldRunner({ inlineBelowBytes: 256 * 1024, idleMs: 60_000, ...opts });
    runners.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of runners) await r.close();
  });

  it('folds a large session off the main thread, byte for byte as the inline fold', async () => {
    const big = storedSession(20, 500);
    const size = big.updates.reduce((n, u) => n + u.length, big.snapshot.length);
    expect(size).toBeGreaterThan(256 * 1024);
    const r = runner();
    await r.fold(big.snapshot, big.updates); // starts the worker
    const { value, turns } = await turnsWhile(r.fold(big.snapshot, big.updates));
    // The main thread turned while the session was being folded: it was not the one folding.
    expect(turns).toBeGreaterThan(0);
    expect(r.counts).toEqual({ inline: 0, worker: 2, fallback: 0 });
    const inline = foldUpdates(big.snapshot, big.updates);
    expect(Buffer.from(value.snapshot).equals(Buffer.from(inline.snapshot))).toBe(true);
    expect(value.title).toBe('Big one');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, value.snapshot);
    expect(readNotes(doc)).toHaveLength(20 * 500);
  });

  it('folds a small session inline, on this thread', async () => {
    const small = storedSession(2, 10, 'Small');
    const r = runner();
    const { value, turns } = await turnsWhile(r.fold(small.snapshot, small.updates));
    expect(turns).toBe(0);
    expect(r.counts.inline).toBe(1);
    expect(value.title).toBe('Small');
  });

  it('a corrupt log row fails the fold as inline folding would, and the worker goes on serving', async () => {
    const big = storedSession(20, 500);
    const r = runner();
    await expect(r.fold(big.snapshot, [...big.updates, new Uint8Array(100).fill(7)])).rejects.toBeInstanceOf(FoldError);
    const ok = await r.fold(big.snapshot, big.updates);
    expect(ok.title).toBe('Big one');
    expect(r.counts.worker).toBe(1);
  });

  it('a worker that dies mid-fold still gives the caller its snapshot (folded here instead)', async () => {
    const big = storedSession(40, 500);
    const r = runner();
    await r.fold(big.snapshot, big.updates.slice(0, 10)); // worker up
    const pending = r.fold(big.snapshot, big.updates);
    await r.close(); // the thread is gone while the fold is in flight
    const value = await pending;
    expect(r.counts.fallback).toBe(1);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, value.snapshot);
    expect(readNotes(doc)).toHaveLength(40 * 500);
    // And the next large fold starts a new worker.
    await r.fold(big.snapshot, big.updates);
    expect(r.counts.worker).toBe(2);
  });

  it('stops the idle worker, and starts it again on the next large fold', async () => {
    const big = storedSession(20, 500);
    const r = runner({ idleMs: 50 });
    await r.fold(big.snapshot, big.updates);
    expect(r.running).toBe(true);
    await waitFor(() => !r.running, 10_000, 'the idle fold worker to stop');
    await r.fold(big.snapshot, big.updates);
    expect(r.counts.worker).toBe(2);
  });

  it('holds no database connection while it folds, and writes nothing if another compaction replaced the snapshot meanwhile', async () => {
    // The embedded database has one connection: a fold holding it would stall every other query.
    const db = await openDatabase({ dataDir: await tempDataDir() });
    try {
      /** A fold runner whose folds wait for `open()`: the compaction is caught in the middle of its fold. */
      class GatedRunner extends FoldRunner {
        started = false;
        private release: () => void = () => {};
        private readonly gate = new Promise<void>((r) => (this.release = r));
        open() {
          this.release();
        }
        override async fold(snapshot: Uint8Array | null, updates: readonly Uint8Array[]) {
          this.started = true;
          await this.gate;
          return super.fold(snapshot, updates);
        }
      }
      const gated = new GatedRunner({ inlineBelowBytes: Number.MAX_SAFE_INTEGER, idleMs: 60_000 });
      const slow = new PrismaDocStore(db.prisma, db.pool, gated);
      const other = new PrismaDocStore(db.prisma, db.pool, runner());
      const id = newSessionId();
      await slow.createSession(id, 'Race', initialState('Race'));
      for (const k of ['a', 'b']) await slow.appendUpdate(id, keyUpdate(k));
      const first = slow.compact(id);
      await waitFor(() => gated.started, 10_000, 'the first compaction to reach its fold');
      // Mid-fold: the connection is free for anyone else, and another compaction (another instance) runs through.
      const held = new Promise((_, reject) => setTimeout(() => reject(new Error('the only connection is held through the fold')), 15_000).unref());
      await expect(Promise.race([db.pool.query('SELECT 1 AS one'), held])).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await slow.appendUpdate(id, keyUpdate('c'));
      expect((await other.compact(id)).merged).toBe(3);
      await slow.appendUpdate(id, keyUpdate('d'));
      gated.open();
      // Its snapshot was replaced meanwhile: writing its fold of a, b would drop c. It writes nothing.
      expect(await first).toEqual({ merged: 0, snapshotBytes: expect.any(Number) });
      const stored = await slow.loadDoc(id);
      expect(stored!.updates).toHaveLength(1); // d, for the next compaction
      const doc = new Y.Doc();
      Y.applyUpdate(doc, stored!.snapshot!);
      for (const u of stored!.updates) Y.applyUpdate(doc, u);
      expect([...doc.getMap('log').keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect((await other.compact(id)).merged).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('the store compacts a large session through the worker: the reloaded document has every note and the new title', async () => {
    const db = await openDatabase({ dataDir: await tempDataDir() });
    try {
      const r = runner();
      const store = new PrismaDocStore(db.prisma, db.pool, r);
      const id = newSessionId();
      const big = storedSession(20, 500, 'Before');
      await store.createSession(id, 'Before', big.snapshot);
      for (const u of big.updates) await store.appendUpdate(id, u);
      // A title change in the log: compaction writes the folded document's title to the session row.
      const doc = new Y.Doc();
      Y.applyUpdate(doc, big.snapshot);
      for (const u of big.updates) Y.applyUpdate(doc, u);
      const sv = Y.encodeStateVector(doc);
      setMeta(doc, { title: 'After' });
      await store.appendUpdate(id, Y.encodeStateAsUpdate(doc, sv));
      const result = await store.compact(id);
      expect(result.merged).toBe(big.updates.length + 1);
      expect(r.counts.worker).toBe(1);
      const stored = await store.loadDoc(id);
      expect(stored!.updates).toHaveLength(0);
      const reloaded = new Y.Doc();
      Y.applyUpdate(reloaded, stored!.snapshot!);
      expect(readNotes(reloaded)).toHaveLength(20 * 500);
      expect((await store.getSession(id))!.title).toBe('After');
    } finally {
      await db.close();
    }
  });
});

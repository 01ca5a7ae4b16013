// The shared progress poll behind a training's Server-Sent Events (server/studio/progress-poll.ts):
// however many watch a training, the database is read once per interval; each watcher gets a
// snapshot and then every read after it; the poll stops with its last watcher.
import { describe, expect, it } from 'vitest';
import type { ProgressPoint } from '@/lib/ai/studio';
import { ProgressPolls, type ProgressReads } from '@/server/studio/progress-poll';

interface Row {
  status: string;
}

const INTERVAL = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const point = (step: number, valid: number | null = null): ProgressPoint => ({ step, loss: 1 / step, valid, elapsedMs: step * 10, etaMs: null });

/** A training in memory and reads of it that count themselves. */
function fakeDb() {
  const db = { row: { status: 'running' } as Row | null, points: [] as ProgressPoint[], fail: null as Error | null };
  const calls = { version: 0, points: 0, fresh: 0 };
  const reads: ProgressReads<Row> = {
    version: async () => {
      calls.version++;
      await sleep(1);
      if (db.fail) throw db.fail;
      return db.row && { ...db.row };
    },
    points: async () => {
      calls.points++;
      await sleep(1);
      return db.points.map((p) => ({ ...p }));
    },
    fresh: async (_id, after, validated) => {
      calls.fresh++;
      await sleep(1);
      if (db.fail) throw db.fail;
      return db.points.filter((p) => p.step > after || (p.valid !== null && !validated.has(p.step))).map((p) => ({ ...p }));
    },
  };
  return { db, calls, reads };
}

describe('shared training progress poll', () => {
  it('N watchers of a training cost one read per interval; each gets its snapshot and every read after it', async () => {
    const { db, calls, reads } = fakeDb();
    db.points.push(point(1));
    const polls = new ProgressPolls(reads, INTERVAL);
    // Three watchers arrive together: one first read for all.
    const [a, b, c] = await Promise.all([polls.watch('t1'), polls.watch('t1'), polls.watch('t1')]);
    expect(calls).toEqual({ version: 1, points: 1, fresh: 0 });
    expect(polls.polling).toBe(1);
    for (const w of [a, b, c]) {
      expect(w.row).toEqual({ status: 'running' });
      expect(w.points.map((p) => p.step)).toEqual([1]);
    }

    // Three intervals: three reads of the row and three of the new points, not nine.
    const seen: number[][] = [[], [], []];
    for (let round = 0; round < 3; round++) {
      db.points.push(point(round + 2));
      for (const [i, w] of [a, b, c].entries()) {
        const t = await w.next();
        seen[i]!.push(...t!.fresh.map((p) => p.step));
      }
    }
    expect(seen).toEqual([
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ]);
    expect(calls).toEqual({ version: 4, points: 1, fresh: 3 });

    // A late watcher reads nothing of its own: its snapshot is the poll's, and it goes on from there.
    const d = await polls.watch('t1');
    expect(calls.version).toBe(4);
    expect(d.points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    // A validation value of a point already sent comes once, to every watcher.
    db.points[1] = point(2, 0.5);
    for (const w of [a, b, c, d]) expect((await w.next())!.fresh).toEqual([point(2, 0.5)]);
    db.points.push(point(5));
    for (const w of [a, b, c, d]) expect((await w.next())!.fresh.map((p) => p.step)).toEqual([5]);
    expect(calls.fresh).toBe(5);

    // Another training has a poll of its own.
    const other = await polls.watch('t2');
    expect(polls.polling).toBe(2);
    other.close();
    expect(polls.polling).toBe(1);

    // The poll runs while anyone watches and stops with the last one.
    a.close();
    b.close();
    c.close();
    expect(polls.polling).toBe(1);
    d.close();
    expect(polls.polling).toBe(0);
    expect(await d.next()).toBeNull();
    const after = { ...calls };
    await sleep(INTERVAL * 4);
    expect(calls).toEqual(after);

    // The next watcher starts a new poll, with a first read of its own.
    const e = await polls.watch('t1');
    expect(calls.points).toBe(after.points + 1);
    expect(e.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(e.points[1]!.valid).toBe(0.5);
    e.close();
  });

  it('a deleted training comes as a read with no row; a failed read fails every watcher and stops the poll', async () => {
    const { db, reads } = fakeDb();
    const polls = new ProgressPolls(reads, INTERVAL);
    const a = await polls.watch('t');
    db.row = null;
    expect(await a.next()).toEqual({ row: null, fresh: [] });
    a.close();

    db.row = { status: 'running' };
    const [b, c] = await Promise.all([polls.watch('t'), polls.watch('t')]);
    db.fail = new Error('database gone');
    await expect(b.next()).rejects.toThrow('database gone');
    await expect(c.next()).rejects.toThrow('database gone');
    expect(polls.polling).toBe(0);
    b.close();
    c.close();
    await expect(polls.watch('t')).rejects.toThrow('database gone');
    expect(polls.polling).toBe(0);
    db.fail = null;
    const d = await polls.watch('t');
    expect(d.row).toEqual({ status: 'running' });
    d.close();
  });

  it('a watcher that leaves while it waits gets null', async () => {
    const { reads } = fakeDb();
    const polls = new ProgressPolls(reads, 10_000);
    const a = await polls.watch('t');
    const pending = a.next();
    a.close();
    expect(await pending).toBeNull();
    expect(polls.polling).toBe(0);
  });
});

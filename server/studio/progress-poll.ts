// A training's live progress for its Server-Sent Events (./routes.ts): one database poll per
// training, shared by every watcher of it, so N watchers cost one read of the row and one of the
// new points per interval, not N. The poll starts with the first watcher and stops when the last
// one leaves. It keeps a mirror of the training's row and curve: a watcher gets its snapshot from
// the mirror (a new poll reads it first; a running one has it as of its last read), then every read
// after it, in order, none lost. The database stays the source, so a training running in another
// process streams the same.
import type { ProgressPoint } from '../../lib/ai/studio';
import { pointView, type StudioStore, type VersionRow } from './store';

export const PROGRESS_POLL_MS = 500;

/** What the poll reads (the store's, or a test's). */
export interface ProgressReads<Row> {
  /** The training's row; null when it was deleted. */
  version(id: string): Promise<Row | null>;
  /** Its whole curve, by step. */
  points(id: string): Promise<ProgressPoint[]>;
  /**
   * The points after step `after`, and the validation value of a point already read (the harness
   * validates after logging the step): the points with one whose step is not in `validated`. By step.
   */
  fresh(id: string, after: number, validated: ReadonlySet<number>): Promise<ProgressPoint[]>;
}

/** One read of the poll: the row (null: deleted) and the points new or newly validated since the previous read. */
export interface ProgressTick<Row> {
  row: Row | null;
  fresh: ProgressPoint[];
}

export interface ProgressWatch<Row> {
  /** The snapshot: the row (null: deleted) and the curve, as of the poll's latest read. */
  row: Row | null;
  points: ProgressPoint[];
  /** The next read after the snapshot (they queue: none is lost between calls); null once closed. Rejects when a read failed. */
  next(): Promise<ProgressTick<Row> | null>;
  /** Leaves the poll (the last watcher to leave stops it). Idempotent. */
  close(): void;
}

class Watcher<Row> {
  readonly queue: ProgressTick<Row>[] = [];
  private waiting: { resolve(t: ProgressTick<Row> | null): void; reject(e: unknown): void } | null = null;
  private failure: { error: unknown } | null = null;
  closed = false;

  constructor(private readonly leave: (w: Watcher<Row>) => void) {}

  push(t: ProgressTick<Row>): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve(t);
    } else this.queue.push(t);
  }

  fail(error: unknown): void {
    this.failure = { error };
    const w = this.waiting;
    this.waiting = null;
    w?.reject(error);
  }

  next(): Promise<ProgressTick<Row> | null> {
    const t = this.queue.shift();
    if (t) return Promise.resolve(t);
    if (this.closed) return Promise.resolve(null);
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(null);
    this.leave(this);
  }
}

class TrainingPoll<Row> {
  private readonly watchers = new Set<Watcher<Row>>();
  private row: Row | null = null;
  /** The curve by step, in step order. */
  private readonly points = new Map<number, ProgressPoint>();
  private last = -1;
  private readonly validated = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly ready: Promise<void>;

  constructor(
    private readonly id: string,
    private readonly reads: ProgressReads<Row>,
    private readonly intervalMs: number,
    private readonly onStop: (poll: TrainingPoll<Row>) => void,
  ) {
    // Started on the next microtask: after the caller has registered this poll.
    this.ready = Promise.resolve().then(() => this.first());
  }

  /** The row first: the points read after it hold every point its step counts. */
  private async first(): Promise<void> {
    try {
      this.row = await this.reads.version(this.id);
      this.apply(await this.reads.points(this.id));
    } catch (e) {
      this.stop();
      throw e;
    }
    this.schedule();
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    let t: ProgressTick<Row>;
    try {
      const row = await this.reads.version(this.id);
      if (this.stopped) return;
      t = { row, fresh: row ? await this.reads.fresh(this.id, this.last, this.validated) : [] };
    } catch (e) {
      if (this.stopped) return;
      for (const w of this.watchers) w.fail(e);
      this.stop();
      return;
    }
    if (this.stopped) return;
    this.row = t.row;
    this.apply(t.fresh);
    for (const w of this.watchers) w.push(t);
    this.schedule();
  }

  private apply(fresh: readonly ProgressPoint[]): void {
    let ordered = true;
    for (const p of fresh) {
      if (p.step < this.last && !this.points.has(p.step)) ordered = false;
      this.points.set(p.step, p);
      this.last = Math.max(this.last, p.step);
      if (p.valid !== null) this.validated.add(p.step);
    }
    if (!ordered) {
      const all = [...this.points.values()].sort((a, b) => a.step - b.step);
      this.points.clear();
      for (const p of all) this.points.set(p.step, p);
    }
  }

  async join(): Promise<ProgressWatch<Row>> {
    // Counted from now: the poll does not stop under a watcher waiting for its first read.
    const w = new Watcher<Row>((x) => this.leave(x));
    this.watchers.add(w);
    try {
      await this.ready;
    } catch (e) {
      w.close();
      throw e;
    }
    // The snapshot holds every read so far: the watcher's queue starts after it.
    w.queue.length = 0;
    return { row: this.row, points: [...this.points.values()], next: () => w.next(), close: () => w.close() };
  }

  private leave(w: Watcher<Row>): void {
    this.watchers.delete(w);
    if (this.watchers.size === 0) this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onStop(this);
  }
}

/** The polls of the trainings being watched, one per training. */
export class ProgressPolls<Row> {
  private readonly polls = new Map<string, TrainingPoll<Row>>();

  constructor(
    private readonly reads: ProgressReads<Row>,
    private readonly intervalMs = PROGRESS_POLL_MS,
  ) {}

  /** Watches a training: joins its poll, or starts one. Close the watch when done. */
  watch(id: string): Promise<ProgressWatch<Row>> {
    let poll = this.polls.get(id);
    if (!poll) {
      poll = new TrainingPoll(id, this.reads, this.intervalMs, (stopped) => {
        if (this.polls.get(id) === stopped) this.polls.delete(id);
      });
      this.polls.set(id, poll);
    }
    return poll.join();
  }

  /** How many trainings are polled now. */
  get polling(): number {
    return this.polls.size;
  }
}

export const storeReads = (store: StudioStore): ProgressReads<VersionRow> => ({
  version: (id) => store.version(id),
  points: (id) => store.points(id),
  fresh: async (id, after, validated) =>
    (
      await store.prisma.trainingPoint.findMany({
        where: { versionId: id, OR: [{ step: { gt: after } }, { valid: { not: null }, step: { notIn: [...validated] } }] },
        orderBy: { step: 'asc' },
      })
    ).map(pointView),
});

const perStore = new WeakMap<StudioStore, ProgressPolls<VersionRow>>();

/** The store's progress polls (one set per store, so per server). */
export function progressPolls(store: StudioStore): ProgressPolls<VersionRow> {
  let p = perStore.get(store);
  if (!p) perStore.set(store, (p = new ProgressPolls(storeReads(store))));
  return p;
}

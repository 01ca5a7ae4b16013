// Writes a room's document changes to the store. Updates arriving within one batch window
// (250 ms by default) are merged into a single appended row; after `compactEvery` rows the log
// is folded into a snapshot in the background. A failed write keeps its updates queued and is
// retried, so a database hiccup delays persistence but never drops an edit.
import * as Y from 'yjs';
import type { DocStore } from '../persistence/store';

export interface PersisterOptions {
  batchMs: number;
  compactEvery: number;
  retryMs?: number;
  onError?: (err: unknown, what: string) => void;
}

export class Persister {
  private pending: Uint8Array[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Rows appended by this persister, and how many of them the last compaction covered. */
  private appended = 0;
  private compacted = 0;
  private compacting: Promise<void> | null = null;
  /** performance.now() when the oldest update not yet durable was pushed (0: none); for the lag metric. */
  private oldestAt = 0;
  /** The same for the batch being written. */
  private inFlightAt = 0;

  constructor(
    private readonly store: DocStore,
    private readonly sessionId: string,
    private readonly opts: PersisterOptions,
    initialRows = 0,
  ) {
    this.appended = initialRows;
  }

  /** True when rows were appended since the last compaction (so unload knows to compact). */
  get dirty(): boolean {
    return this.appended > this.compacted;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Milliseconds the oldest update not yet written has waited (0: everything is written). */
  get lagMs(): number {
    const oldest = this.inFlightAt || this.oldestAt;
    return oldest ? performance.now() - oldest : 0;
  }

  push(update: Uint8Array): void {
    if (!this.oldestAt) this.oldestAt = performance.now();
    this.pending.push(update);
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.opts.batchMs);
  }

  /** Writes everything queued so far; resolves once it is durable, rejects if the write failed. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing.catch(() => {});
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.inFlightAt = this.oldestAt;
    this.oldestAt = 0;
    this.pending = [];
    const merged = batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch);
    this.flushing = this.store.appendUpdate(this.sessionId, merged);
    try {
      await this.flushing;
      this.inFlightAt = 0;
      this.appended++;
      if (this.appended - this.compacted >= this.opts.compactEvery) void this.compact().catch(() => {});
    } catch (err) {
      this.pending = batch.concat(this.pending);
      this.oldestAt = this.inFlightAt || this.oldestAt;
      this.inFlightAt = 0;
      this.opts.onError?.(err, 'append');
      this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.opts.retryMs ?? 1000);
      throw err;
    } finally {
      this.flushing = null;
    }
  }

  async compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.compacting = (async () => {
      const covered = this.appended; // rows appended after this point may be missed by the read
      try {
        await this.store.compact(this.sessionId);
        this.compacted = covered;
      } catch (err) {
        this.opts.onError?.(err, 'compact');
        throw err;
      } finally {
        this.compacting = null;
      }
    })();
    return this.compacting;
  }

  /** Flushes and compacts; what a room does before it unloads. */
  async settle(): Promise<void> {
    await this.flush();
    if (this.dirty) await this.compact();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

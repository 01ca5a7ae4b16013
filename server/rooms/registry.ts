// The set of live rooms: loads a session's document on first use (snapshot + later updates),
// shares it between everyone who asks meanwhile, and unloads it — flushed and compacted — once
// nobody holds it for `unloadDelayMs`. A request arriving while a room unloads waits and then
// loads the fresh state, so there is never more than one live Y.Doc per session.
// `withDoc` lets server code (e.g. the AI job queue) edit a session whether or not anyone is
// connected; the edit syncs to connected clients and is persisted like any client's edit.
import type { DocStore } from '../persistence/store';
import { SessionNotFoundError } from '../persistence/store';
import { Persister } from './persister';
import { Room, SERVER_ORIGIN } from './room';
import { DocGuard, DEFAULT_DOC_LIMITS, type DocLimits } from '../sync/doc-guard';
import { DEFAULT_FANOUT, type FanoutOptions } from '../sync/fanout';

/**
 * Cross-instance fan-out (scale-out mode, server/scaleout; absent in the single-process default).
 * attach: start relaying the room's changes and catch it up with what other instances hold in
 * memory; the room is handed out only after it resolves. detach: stop, before the room goes.
 */
export interface RoomFanout {
  attach(room: Room): Promise<void>;
  detach(room: Room): void;
}

export interface RoomOptions {
  batchMs: number;
  compactEvery: number;
  unloadDelayMs: number;
  /** Structured log (server/ops/log.ts): every message about a session carries its `sessionId` field. */
  log?: (msg: string, err?: unknown, fields?: Record<string, unknown>) => void;
  /** Scale-out only (REDIS_URL): see RoomFanout. */
  fanout?: RoomFanout;
  /** Schema and size limits for participants' updates (default DEFAULT_DOC_LIMITS). */
  docLimits?: DocLimits;
  /** Per-room coalescing of what is sent to peers (server/sync/fanout.ts). */
  fanoutTick?: FanoutOptions;
}

export interface WithDocOptions {
  /** Transaction origin (default SERVER_ORIGIN); lets clients tell server edits apart. */
  origin?: unknown;
  /** Wait until the edit is durable in the database before resolving. */
  flush?: boolean;
}

export interface RoomStats {
  id: string;
  peers: number;
  holds: number;
  pendingUpdates: number;
  /** Age of the oldest update not yet in the database, in ms (0: all written). */
  persistLagMs: number;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room | null>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Hooks (server/versions): a room was loaded; a room is about to unload, flushed (the last person left). */
  readonly lifecycle = { loaded: new Set<(room: Room) => void>(), unloading: new Set<(room: Room) => Promise<void>>() };

  constructor(
    readonly store: DocStore,
    private readonly opts: RoomOptions,
  ) {}

  /** Number of rooms in memory. */
  get count(): number {
    return this.rooms.size;
  }

  has(sessionId: string): boolean {
    return this.rooms.has(sessionId);
  }

  /** The live room, if loaded (for introspection; use acquire/withDoc to work with it). */
  peek(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  stats(): RoomStats[] {
    return [...this.rooms.values()].map((r) => ({ id: r.id, peers: r.peers.size, holds: r.holds, pendingUpdates: r.persister.pendingCount, persistLagMs: r.persister.lagMs }));
  }

  /** Loads (or joins) a room and holds it open until `release`; null for an unknown session. */
  async acquire(sessionId: string): Promise<Room | null> {
    for (;;) {
      const unloading = this.unloading.get(sessionId);
      if (unloading) await unloading;
      const live = this.rooms.get(sessionId);
      if (live && !live.closed) {
        live.holds++;
        this.cancelUnload(sessionId);
        return live;
      }
      let loading = this.loading.get(sessionId);
      if (!loading) {
        loading = this.load(sessionId).finally(() => this.loading.delete(sessionId));
        this.loading.set(sessionId, loading);
      }
      const room = await loading;
      if (!room) return null;
      if (room.closed) continue; // unloaded before we got to it: load again
      room.holds++;
      this.cancelUnload(sessionId);
      return room;
    }
  }

  release(room: Room): void {
    room.holds = Math.max(0, room.holds - 1);
    if (room.holds === 0 && !room.closed) this.scheduleUnload(room);
  }

  /** Runs `fn` in one server-side transaction on the session's document (loading it if needed). */
  async withDoc<T>(sessionId: string, fn: (doc: Room['doc']) => T, options: WithDocOptions = {}): Promise<Awaited<T>> {
    const room = await this.acquire(sessionId);
    if (!room) throw new SessionNotFoundError(sessionId);
    try {
      let result!: T;
      room.doc.transact(() => {
        result = fn(room.doc);
      }, options.origin ?? SERVER_ORIGIN);
      const value = await result;
      if (options.flush) await room.persister.flush();
      return value;
    } finally {
      this.release(room);
    }
  }

  /**
   * Drops a room whose session no longer exists (deleted by its owner): closes its peers with
   * `code`/`reason` and discards what was not yet written, since there is nowhere to write it.
   */
  evict(sessionId: string, code: number, reason: string): void {
    this.cancelUnload(sessionId);
    const room = this.rooms.get(sessionId);
    if (!room) return;
    for (const peer of [...room.peers.keys()]) peer.close(code, reason);
    this.opts.fanout?.detach(room);
    room.destroy();
    this.rooms.delete(sessionId);
  }

  /** Flushes, compacts and drops every room (graceful shutdown). Peers must be closed first. */
  async closeAll(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.loading.values()]);
    await Promise.allSettled([...this.unloading.values()]);
    await Promise.allSettled([...this.rooms.values()].map((room) => this.unload(room, true)));
  }

  private async load(sessionId: string): Promise<Room | null> {
    const stored = await this.store.loadDoc(sessionId);
    if (!stored) return null;
    const persister = new Persister(this.store, sessionId, {
      batchMs: this.opts.batchMs,
      compactEvery: this.opts.compactEvery,
      onError: (err, what) => this.opts.log?.(`[rooms] ${what} failed for ${sessionId}`, err, { sessionId }),
    }, stored.updates.length);
    const room = new Room(sessionId, persister, new DocGuard(this.opts.docLimits ?? DEFAULT_DOC_LIMITS), this.opts.fanoutTick ?? DEFAULT_FANOUT);
    room.restore(stored.snapshot, stored.updates);
    // Scale-out: catch up with other instances' unpersisted edits before anyone gets the room.
    if (this.opts.fanout) await this.opts.fanout.attach(room).catch((err) => this.opts.log?.(`[rooms] fan-out attach failed for ${sessionId}`, err, { sessionId }));
    this.rooms.set(sessionId, room);
    for (const fn of this.lifecycle.loaded) fn(room);
    // Loaded but perhaps never held (e.g. the caller went away): make sure it can unload.
    queueMicrotask(() => {
      if (room.holds === 0 && !room.closed) this.scheduleUnload(room);
    });
    return room;
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room.id);
    this.timers.set(
      room.id,
      setTimeout(() => {
        this.timers.delete(room.id);
        void this.unload(room, false);
      }, this.opts.unloadDelayMs),
    );
  }

  private cancelUnload(sessionId: string): void {
    const t = this.timers.get(sessionId);
    if (t) clearTimeout(t);
    this.timers.delete(sessionId);
  }

  private unload(room: Room, force: boolean): Promise<void> {
    if (room.closed || (!force && room.holds > 0)) return Promise.resolve();
    const existing = this.unloading.get(room.id);
    if (existing) return existing;
    const p = (async () => {
      try {
        await room.persister.settle();
      } catch (err) {
        // Keep the room (its updates are still queued) and try again later.
        this.opts.log?.(`[rooms] could not persist ${room.id} before unloading; retrying`, err, { sessionId: room.id });
        if (!force) this.scheduleUnload(room);
        return;
      }
      for (const fn of this.lifecycle.unloading) await fn(room).catch((err) => this.opts.log?.(`[rooms] unload hook failed for ${room.id}`, err, { sessionId: room.id }));
      if (this.opts.fanout) {
        // Scale-out: stop taking other instances' updates, then persist any that came in while
        // settling (their senders persist them too; this is belt and braces).
        this.opts.fanout.detach(room);
        if (room.persister.pendingCount > 0) await room.persister.settle().catch((err) => this.opts.log?.(`[rooms] final flush failed for ${room.id}`, err, { sessionId: room.id }));
      }
      room.destroy();
      this.rooms.delete(room.id);
    })().finally(() => this.unloading.delete(room.id));
    this.unloading.set(room.id, p);
    return p;
  }
}

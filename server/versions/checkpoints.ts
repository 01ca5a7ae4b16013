// Automatic checkpoints (issue 16): a session that has unsaved edits is checkpointed `afterMs`
// after its first unsaved edit, never sooner than `minIntervalMs` after its previous automatic
// checkpoint, and in any case when its room unloads (the last person left). An unchanged score
// (same content as the newest version) is not stored again. Authors are the display names of the
// people whose connections made the edits (from their presence), "AI" for accompaniment jobs.
import type { Room } from '../rooms/room';
import type { RoomRegistry } from '../rooms/registry';
import type { VersionsConfig } from './config';
import { snapshotOf, type VersionInfo, type VersionStore } from './store';

interface Pending {
  room: Room;
  /** Time of the first edit not yet in a version (0: none). */
  since: number;
  authors: Set<string>;
  timer: NodeJS.Timeout | null;
  detach(): void;
}

/** The display name a peer's presence carries, if any. */
function peerName(room: Room, origin: unknown): string | null {
  const ids = room.peers.get(origin as never);
  if (!ids) return null;
  for (const id of ids) {
    const name = (room.awareness.getStates().get(id) as { user?: { name?: unknown } } | undefined)?.user?.name;
    if (typeof name === 'string' && name.trim()) return name.trim().slice(0, 80);
  }
  return null;
}

export class Checkpointer {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Map<string, Promise<VersionInfo | null>>();
  private closed = false;
  private readonly onLoaded = (room: Room) => this.watch(room);
  private readonly onUnloading = (room: Room) => this.finish(room);

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly store: VersionStore,
    private readonly config: VersionsConfig,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {
    rooms.lifecycle.loaded.add(this.onLoaded);
    rooms.lifecycle.unloading.add(this.onUnloading);
  }

  private watch(room: Room): void {
    this.pending.get(room.id)?.detach();
    const p: Pending = {
      room,
      since: 0,
      authors: new Set(),
      timer: null,
      detach: () => room.changeListeners.delete(onChange),
    };
    const onChange = (origin: unknown) => {
      const name = peerName(room, origin);
      if (name) p.authors.add(name);
      else if (typeof origin === 'string' && origin.startsWith('job:')) p.authors.add('AI');
      if (p.since === 0) {
        p.since = Date.now();
        this.schedule(p);
      }
    };
    room.changeListeners.add(onChange);
    this.pending.set(room.id, p);
  }

  private schedule(p: Pending): void {
    if (p.timer || this.closed) return;
    void this.store.latest(p.room.id).then(
      ({ lastAutoAt }) => {
        if (p.timer || this.closed || p.since === 0) return;
        const due = Math.max(p.since + this.config.afterMs, (lastAutoAt ?? 0) + this.config.minIntervalMs);
        p.timer = setTimeout(
          () => {
            p.timer = null;
            void this.fire(p);
          },
          Math.max(0, due - Date.now()),
        );
      },
      (err) => this.log(`[versions] could not schedule a checkpoint of ${p.room.id}`, err),
    );
  }

  private async fire(p: Pending): Promise<void> {
    if (p.room.closed) {
      if (this.pending.get(p.room.id) === p) this.pending.delete(p.room.id);
      return;
    }
    try {
      const { lastAutoAt } = await this.store.latest(p.room.id);
      // Another instance (or a restart) checkpointed recently: wait for the interval.
      if (lastAutoAt !== null && Date.now() - lastAutoAt < this.config.minIntervalMs) {
        this.schedule(p);
        return;
      }
      await this.checkpoint(p);
    } catch (err) {
      this.log(`[versions] checkpoint of ${p.room.id} failed`, err);
    }
  }

  /** Takes an automatic checkpoint now if the session has edits no version holds. */
  private checkpoint(p: Pending): Promise<VersionInfo | null> {
    const id = p.room.id;
    const prior = this.running.get(id) ?? Promise.resolve(null);
    const run = prior
      .catch(() => null)
      .then(async () => {
        if (p.since === 0 || p.room.closed) return null;
        const authors = [...p.authors];
        p.since = 0;
        p.authors = new Set();
        if (p.timer) clearTimeout(p.timer);
        p.timer = null;
        const snap = await snapshotOf(p.room.doc);
        const { hash: lastHash } = await this.store.latest(id);
        if (snap.hash === lastHash) return null;
        const v = await this.store.create(id, 'auto', snap, { authors });
        await this.store.thin(id).catch((err) => this.log(`[versions] retention failed for ${id}`, err));
        return v;
      });
    this.running.set(id, run);
    void run.finally(() => this.running.get(id) === run && this.running.delete(id)).catch(() => {});
    return run;
  }

  /** The room is unloading (flushed; nobody holds it): checkpoint what is unsaved, stop watching. */
  private async finish(room: Room): Promise<void> {
    const p = this.pending.get(room.id);
    if (!p || p.room !== room) return;
    try {
      await this.checkpoint(p);
    } finally {
      if (p.timer) clearTimeout(p.timer);
      p.detach();
      this.pending.delete(room.id);
    }
  }

  /** Whether a session has edits no version holds yet (tests, introspection). */
  isDirty(sessionId: string): boolean {
    return (this.pending.get(sessionId)?.since ?? 0) > 0;
  }

  close(): void {
    this.closed = true;
    this.rooms.lifecycle.loaded.delete(this.onLoaded);
    this.rooms.lifecycle.unloading.delete(this.onUnloading);
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.detach();
    }
    this.pending.clear();
  }
}

// Per-room fan-out, coalesced per tick. A room of 1,000 with 20 writers used to send every Yjs
// update to every socket as its own frame: 200 updates/s became 200,000 frames/s and the server
// (like the stock y-websocket server) fell seconds behind. Here the changes a room applies during
// one tick are merged (Y.mergeUpdates for the document; the changed client ids for presence),
// encoded once, and the same buffer is handed to every socket.
//
// The tick adapts to the room: the next flush comes `tickFactor` times what the last flush took
// (capped at maxTickMs) after the last one ended. Sending to 10 sockets takes microseconds, so a small room flushes on the
// next turn of the event loop (setImmediate) and keeps its latency; sending to 1,000 takes
// milliseconds, so a big room batches a few ms of edits per frame and fan-out stays a bounded
// share of the CPU however fast edits arrive.
//
// Only sending is deferred. Every update is still validated, applied, persisted and published to
// other instances (server/scaleout) one by one, when it arrives (server/rooms/room.ts).
//
// The sender of an update gets the merged frame too when several peers contributed to it: a Yjs
// client applying structs it already has changes nothing and emits no update, so one shared frame
// is correct. When a tick's updates all came from one peer, that peer is skipped as before.
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { frame, MESSAGE_AWARENESS, MESSAGE_SYNC } from './protocol';
import { writeSyncUpdate } from './sync';
import { writeAwarenessUpdate } from './awareness';
import { fanoutFrames, fanoutLatency, fanoutSends } from '../ops/metrics';
import { prepareFrame, type PreparedFrame } from './prepared-frame';

export interface FanoutPeer {
  send(frame: Uint8Array): void;
  /** The same message, framed once for every socket (server/sync/prepared-frame.ts); else send(payload). */
  sendPrepared?(frame: PreparedFrame): void;
}

const sendTo = (peer: FanoutPeer, f: PreparedFrame): void => (peer.sendPrepared ? peer.sendPrepared(f) : peer.send(f.payload));

export interface FanoutOptions {
  /** Upper bound of a room's tick in ms (TUTTI_FANOUT_MAX_TICK_MS). */
  maxTickMs: number;
  /** The tick is this many times the last flush's duration (fan-out takes at most ~1/factor of a core per room). */
  tickFactor: number;
}

export const DEFAULT_FANOUT: FanoutOptions = { maxTickMs: 80, tickFactor: 4 };

const MIXED = Symbol('mixed origins');

export class CoalescingFanout {
  private updates: Uint8Array[] = [];
  /** The single origin of the buffered updates, or MIXED. */
  private origin: unknown = undefined;
  private readonly awarenessIds = new Set<number>();
  /** performance.now() of the first change buffered in this tick (for the latency histogram). */
  private firstAt = 0;
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  /** Smoothed duration of a flush, in ms. */
  private flushMs = 0;
  /** performance.now() when the last flush ended. */
  private lastFlushEnd = -Infinity;
  private disposed = false;

  constructor(
    private readonly peers: () => Iterable<FanoutPeer>,
    private readonly awareness: Awareness,
    private readonly opts: FanoutOptions = DEFAULT_FANOUT,
  ) {}

  /** A document update the room applied; sent to everyone (but `origin`, if it is alone) on the next tick. */
  update(update: Uint8Array, origin: unknown): void {
    if (this.disposed) return;
    this.origin = this.updates.length === 0 ? origin : this.origin === origin ? origin : MIXED;
    this.updates.push(update);
    this.schedule();
  }

  /** Presence entries that changed; their states as of the flush are sent on the next tick. */
  awarenessChanged(ids: readonly number[]): void {
    if (this.disposed) return;
    for (const id of ids) this.awarenessIds.add(id);
    this.schedule();
  }

  /** The current tick in ms (introspection and tests). */
  get tickMs(): number {
    return Math.min(this.opts.maxTickMs, this.flushMs * this.opts.tickFactor);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.firstAt = performance.now();
    // The tick is counted from the end of the last flush, not from this change: a change after a
    // quiet spell goes out at once, and under steady traffic the flushes are still a tick apart.
    const delay = this.lastFlushEnd + this.tickMs - this.firstAt;
    this.scheduled = delay < 1 ? setImmediate(this.flush) : setTimeout(this.flush, delay);
  }

  /** Sends what is buffered now (also called by the tick). */
  readonly flush = (): void => {
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = null;
    }
    if (this.disposed) return;
    const t0 = performance.now();
    let sends = 0;
    if (this.updates.length > 0) {
      const updates = this.updates;
      const skip = this.origin === MIXED ? undefined : this.origin;
      this.updates = [];
      this.origin = undefined;
      const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
      const data = prepareFrame(frame(MESSAGE_SYNC, (e) => writeSyncUpdate(e, merged)));
      for (const peer of this.peers()) if (peer !== skip) sendTo(peer, data), sends++;
      fanoutFrames.inc({ kind: 'update' });
    }
    if (this.awarenessIds.size > 0) {
      const ids = [...this.awarenessIds].filter((id) => this.awareness.meta.has(id));
      this.awarenessIds.clear();
      if (ids.length > 0) {
        const data = prepareFrame(frame(MESSAGE_AWARENESS, (e) => writeAwarenessUpdate(e, this.awareness, ids)));
        for (const peer of this.peers()) sendTo(peer, data), sends++;
        fanoutFrames.inc({ kind: 'awareness' });
      }
    }
    const t1 = performance.now();
    this.flushMs = this.flushMs * 0.7 + (t1 - t0) * 0.3;
    this.lastFlushEnd = t1;
    if (sends > 0) {
      fanoutSends.inc(sends);
      fanoutLatency.observe((t1 - this.firstAt) / 1000);
    }
  };

  dispose(): void {
    this.disposed = true;
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = null;
    }
    this.updates = [];
    this.awarenessIds.clear();
  }
}

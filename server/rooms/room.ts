// One live session: its Y.Doc, the presence (awareness) of the people in it, and their
// connections. Applies what peers send, fans changes out to the other peers, and hands every
// document change to the persister. Knows nothing about websockets or the database: a peer is
// anything that can take a frame and be closed.
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { frame, MESSAGE_AWARENESS, MESSAGE_SYNC, type ClientMessage } from '../sync/protocol';
import { writeSyncStep1, writeSyncStep2, writeSyncStep2FromUpdate } from '../sync/sync';
import { encodeAwarenessEntries, writeAwarenessUpdate } from '../sync/awareness';
import { PresenceGuard } from '../sync/presence-guard';
import { DocGuard } from '../sync/doc-guard';
import type { Persister } from './persister';
import { DEFAULT_FANOUT, CoalescingFanout, type FanoutOptions, type FanoutPeer } from '../sync/fanout';
import { updatesApplied } from '../ops/metrics';

export interface Peer extends FanoutPeer {
  close(code: number, reason: string): void;
}

/** Transaction origin of state replayed from the database (not persisted again). */
export const LOAD_ORIGIN = Symbol('tutti:load');
/** Default transaction origin of server-side edits made through rooms.withDoc. */
export const SERVER_ORIGIN = Symbol('tutti:server');

export class Room {
  private readonly ydoc = new Y.Doc();
  readonly awareness = new Awareness(this.ydoc);
  /**
   * A loaded snapshot not yet applied to the Y.Doc. Applying a big document takes hundreds of
   * milliseconds, so a room opens with the bytes alone: a new client (empty state vector) is
   * answered with them at once, and the server applies them right after, while the client does
   * the same — instead of the client waiting for the server's apply and re-encode first.
   */
  private deferred: Uint8Array | null = null;
  /** The exact full state as stored, while nothing has changed since load. */
  private storedState: Uint8Array | null = null;
  private awaitingStep1 = new Set<Peer>();
  /** Each peer with the awareness client ids it has announced (removed when it leaves). */
  readonly peers = new Map<Peer, Set<number>>();
  /** Which presence client id each peer may set (server/sync/presence-guard.ts). */
  private readonly presence = new PresenceGuard<Peer>();
  /** Told of every document change that is not a replay from storage, with its origin (server/versions: activity checkpoints). */
  readonly changeListeners = new Set<(origin: unknown) => void>();
  /** Connections plus in-flight withDoc calls; the room may unload only at zero. */
  holds = 0;
  closed = false;
  /** Sends changes to the peers, merged per tick (server/sync/fanout.ts). */
  readonly fanout: CoalescingFanout;

  constructor(
    readonly id: string,
    readonly persister: Persister,
    /** Schema and limits for participants' updates (server/sync/doc-guard.ts). */
    readonly guard: DocGuard = new DocGuard(),
    fanoutOptions: FanoutOptions = DEFAULT_FANOUT,
  ) {
    this.fanout = new CoalescingFanout(() => this.peers.keys(), this.awareness, fanoutOptions);
    this.awareness.setLocalState(null); // the server itself is not a participant
    this.ydoc.on('update', this.onDocUpdate);
    // Deletions are what can shrink a document below the guard's size bound (doc-guard.ts).
    this.ydoc.on('afterTransaction', (tr: Y.Transaction) => void (tr.deleteSet.clients.size > 0 && this.guard.deleted()));
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  /** The session's document (applies a deferred snapshot first). */
  get doc(): Y.Doc {
    this.ensureApplied();
    return this.ydoc;
  }

  /** Replays stored state without persisting it again (a lone snapshot is applied lazily). */
  restore(snapshot: Uint8Array | null, updates: Uint8Array[]): void {
    this.guard.loaded((snapshot?.length ?? 0) + updates.reduce((n, u) => n + u.length, 0));
    if (snapshot && updates.length === 0) {
      this.deferred = snapshot;
      this.storedState = snapshot;
      return;
    }
    this.ydoc.transact(() => {
      if (snapshot) Y.applyUpdate(this.ydoc, snapshot, LOAD_ORIGIN);
      for (const u of updates) Y.applyUpdate(this.ydoc, u, LOAD_ORIGIN);
    }, LOAD_ORIGIN);
    this.guard.repair(this.ydoc, SERVER_ORIGIN); // entries stored before the schema was enforced
  }

  private ensureApplied(): void {
    const snapshot = this.deferred;
    if (!snapshot || this.closed) return;
    this.deferred = null;
    Y.applyUpdate(this.ydoc, snapshot, LOAD_ORIGIN);
    this.guard.repair(this.ydoc, SERVER_ORIGIN); // entries stored before the schema was enforced
    for (const peer of this.awaitingStep1) if (this.peers.has(peer)) this.sendStep1(peer);
    this.awaitingStep1.clear();
  }

  private sendStep1(peer: Peer): void {
    peer.send(frame(MESSAGE_SYNC, (e) => writeSyncStep1(e, this.ydoc)));
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer, new Set());
    // Start the handshake from our side too, so the peer learns what we have without asking.
    if (this.deferred) {
      this.awaitingStep1.add(peer);
      setImmediate(() => this.ensureApplied());
    } else this.sendStep1(peer);
    const present = [...this.awareness.getStates().keys()];
    if (present.length > 0) peer.send(frame(MESSAGE_AWARENESS, (e) => writeAwarenessUpdate(e, this.awareness, present)));
  }

  removePeer(peer: Peer): void {
    const ids = this.peers.get(peer);
    if (!ids) return;
    this.peers.delete(peer);
    this.awaitingStep1.delete(peer);
    // Its bound id too: a state re-set after a null removal is reported as "updated", not "added".
    const own = this.presence.boundId(peer);
    if (own !== undefined) ids.add(own);
    this.presence.forget(peer);
    if (ids.size > 0) removeAwarenessStates(this.awareness, [...ids], null);
  }

  /** Applies one already-validated message from a peer. */
  receive(peer: Peer, msg: ClientMessage): void {
    switch (msg.kind) {
      case 'syncStep1':
        if (this.deferred && this.storedState && Y.decodeStateVector(msg.stateVector).size === 0) {
          const state = this.storedState; // a new client: the stored bytes are exactly what it lacks
          peer.send(frame(MESSAGE_SYNC, (e) => writeSyncStep2FromUpdate(e, state)));
        } else peer.send(frame(MESSAGE_SYNC, (e) => writeSyncStep2(e, this.doc, msg.stateVector)));
        return;
      case 'syncStep2':
        // A resync is resent on every reconnect: what can be undone without loss is applied and
        // undone (sent to the sender too, under SERVER_ORIGIN) rather than refused forever.
        this.guard.apply(this.doc, msg.update, peer, { repairOrigin: SERVER_ORIGIN });
        return;
      case 'syncUpdate':
        this.guard.apply(this.doc, msg.update, peer); // throws ProtocolError: refused, nothing applied
        return;
      case 'awareness': {
        // Only the peer's own client id; states were size-, depth- and schema-checked in decoding.
        const own = this.presence.accept(peer, msg.entries, this.awareness.getStates());
        if (own.length > 0) applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(own), peer);
        return;
      }
      case 'queryAwareness': {
        const ids = [...this.awareness.getStates().keys()];
        peer.send(frame(MESSAGE_AWARENESS, (e) => writeAwarenessUpdate(e, this.awareness, ids)));
        return;
      }
    }
  }

  broadcast(data: Uint8Array, except?: unknown): void {
    for (const peer of this.peers.keys()) if (peer !== except) peer.send(data);
  }

  destroy(): void {
    this.closed = true;
    this.fanout.dispose();
    this.persister.dispose();
    this.deferred = this.storedState = null;
    this.ydoc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.ydoc.destroy();
    this.peers.clear();
    this.awaitingStep1.clear();
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return;
    this.storedState = null;
    this.guard.grew(update.length);
    this.persister.push(update);
    for (const fn of this.changeListeners) fn(origin);
    updatesApplied.inc({ origin: this.peers.has(origin as Peer) ? 'client' : typeof origin === 'symbol' ? (origin.description ?? 'server') : 'other' });
    // Peers get it on the room's next fan-out tick, merged with the tick's other updates.
    this.fanout.update(update, origin);
  };

  private onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const ids = this.peers.get(origin as Peer);
    if (ids) {
      for (const id of added) ids.add(id);
      for (const id of removed) ids.delete(id);
    }
    const changed = added.concat(updated, removed);
    if (changed.length === 0) return;
    this.fanout.awarenessChanged(changed);
  };
}

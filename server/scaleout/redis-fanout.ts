// Scale-out fan-out over Redis (active when REDIS_URL is set). Several Tutti instances may hold
// the same session's room; each publishes the Yjs updates and presence changes its room applies
// for local reasons (its own clients, withDoc, jobs) on the session's channel, and applies what
// the others publish with REMOTE_ORIGIN, which is never published again (no echo loops; every
// message also carries the sender's instance id, so an instance drops its own).
//
// Catch-up: a room that loads from the database lacks what other instances hold in memory but
// have not persisted yet (the batch window, or an instance's whole unpersisted tail). So, once
// subscribed, the loading instance publishes a sync request (its state vector, y-protocols step 1)
// on the session's sync channel, which only instances holding the room subscribe to. PUBLISH
// returns how many subscribers got it: those instances plus ourselves (an outside subscriber to
// that channel, e.g. a `PSUBSCRIBE tutti:*` monitor, only makes loads wait for the timeout). Each answers on our instance channel with the diff we lack
// (step 2), its own state vector (we send back what it lacks) and its presence states. The room
// is handed out once every holder has answered (or after a timeout, if one died meanwhile).
// Why this is complete: an update a holder applied before our subscription was active is in its
// doc when it answers our request (sent after subscribing); one applied after reaches us live.
//
// Every instance persists every update it applies, remote ones included: duplicate rows are
// harmless (Yjs updates are idempotent; compaction folds them away) and an edit survives the
// instance that received it being killed before its batch was written.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import { applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import type { RoomFanout } from '../rooms/registry';
import { LOAD_ORIGIN, type Room } from '../rooms/room';
import { decodeBusMessage, encodeBusMessage, type BusMessage } from './wire';

/** Transaction/awareness origin of changes received from another instance: never re-published. */
export const REMOTE_ORIGIN = Symbol('tutti:remote');

export interface RedisFanoutOptions {
  url: string;
  /** Channel name prefix (several deployments can share one Redis). */
  prefix?: string;
  /** Longest a loading room waits for the other instances' catch-up replies. */
  catchUpTimeoutMs?: number;
  connectTimeoutMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

interface Attached {
  room: Room;
  detach(): void;
}

interface PendingSync {
  sessionId: string;
  expected: number;
  received: number;
  done(): void;
}

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/**
 * A link rotation or a deletion, relayed to every instance (JSON on `<prefix>links`) so each closes
 * its own connections that held the old token (server/auth/live.ts).
 */
export interface LinkChange {
  sessionId: string;
  code: number;
  reason: string;
  /** Roles whose connections to close; omitted = all. */
  roles?: ('owner' | 'edit' | 'view')[];
  /** The session is gone: drop its room too. */
  deleted?: boolean;
}

export class RedisFanout implements RoomFanout {
  private readonly rooms = new Map<string, Attached>();
  private linkListener: ((change: LinkChange) => void) | null = null;
  private readonly pending = new Map<number, PendingSync>();
  private nextRequestId = 1;
  private readonly prefix: string;
  private readonly log: (msg: string, err?: unknown) => void;
  private closed = false;

  private constructor(
    /** Random per process: tells our own messages apart and names our reply channel. */
    readonly instanceId: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly opts: RedisFanoutOptions,
  ) {
    this.prefix = opts.prefix ?? 'tutti:';
    this.log = opts.log ?? ((m, e) => (e ? console.error(m, e) : console.log(m)));
  }

  /** Connects both Redis connections; fails loudly when Redis is unreachable (no silent split brain). */
  static async connect(opts: RedisFanoutOptions): Promise<RedisFanout> {
    const connectTimeout = opts.connectTimeoutMs ?? 5000;
    const id = randomBytes(9).toString('base64url');
    // Named connections, so an operator (or a test) can tell them apart in CLIENT LIST.
    const make = (role: string) => new Redis(opts.url, { lazyConnect: true, connectTimeout, maxRetriesPerRequest: 3, connectionName: `tutti-${role}-${id}` });
    const pub = make('pub');
    const sub = make('sub');
    const f = new RedisFanout(id, pub, sub, opts);
    const silence = () => {}; // until connected, errors surface through connect() below
    pub.on('error', silence);
    sub.on('error', silence);
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      await sub.subscribe(f.instanceChannel(f.instanceId), f.linksChannel);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw new Error(`REDIS_URL is set but Redis is unreachable at ${redact(opts.url)}: ${(err as Error).message}`);
    }
    pub.off('error', silence);
    sub.off('error', silence);
    const onError = (err: Error) => f.log('[scaleout] redis connection error', err);
    pub.on('error', onError);
    sub.on('error', onError);
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => f.onMessage(channel.toString(), new Uint8Array(message)));
    // After a Redis outage the channels are resubscribed automatically, but whatever was published
    // meanwhile is gone: catch every held room up again.
    sub.on('ready', () => {
      for (const { room } of f.rooms.values()) void f.catchUp(room);
    });
    return f;
  }

  /** Resolves when Redis answers on the publishing connection (readiness, server/ops/health.ts). */
  ping(): Promise<unknown> {
    return this.pub.ping();
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  async attach(room: Room): Promise<void> {
    if (this.closed) return;
    const doc = room.awareness.doc; // the raw Y.Doc: listening must not force a deferred snapshot in
    const channel = this.roomChannel(room.id);
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE_ORIGIN || origin === LOAD_ORIGIN) return;
      this.publish(channel, { kind: 'update', from: this.instanceId, update });
    };
    const onAwareness = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      // Each instance times out stale presence by itself; relaying its timeouts would only race.
      if (origin === REMOTE_ORIGIN || origin === 'timeout') return;
      const changed = added.concat(updated, removed);
      if (changed.length > 0) this.publish(channel, { kind: 'awareness', from: this.instanceId, update: encodeAwarenessUpdate(room.awareness, changed) });
    };
    doc.on('update', onUpdate);
    room.awareness.on('update', onAwareness);
    this.rooms.set(room.id, {
      room,
      detach: () => {
        doc.off('update', onUpdate);
        room.awareness.off('update', onAwareness);
      },
    });
    try {
      await this.withTimeout(this.sub.subscribe(channel, this.syncChannel(room.id)), `subscribing to ${room.id}`);
    } catch (err) {
      this.log(`[scaleout] ${room.id}: could not subscribe; serving the stored state (it catches up when Redis is back)`, err);
      return;
    }
    await this.catchUp(room);
  }

  detach(room: Room): void {
    const a = this.rooms.get(room.id);
    if (!a || a.room !== room) return;
    a.detach();
    this.rooms.delete(room.id);
    if (!this.closed) this.sub.unsubscribe(this.roomChannel(room.id), this.syncChannel(room.id)).catch((err) => this.log(`[scaleout] ${room.id}: unsubscribe failed`, err));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.rooms.values()) a.detach();
    this.rooms.clear();
    for (const p of this.pending.values()) p.done();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  /** Sync step 1 to every instance holding the room; resolves once all answered (or on timeout). */
  private async catchUp(room: Room): Promise<void> {
    if (this.closed || room.closed) return;
    const requestId = this.nextRequestId++;
    let timer: NodeJS.Timeout | undefined;
    const pending: PendingSync = { sessionId: room.id, expected: Infinity, received: 0, done: () => {} };
    const finished = new Promise<void>((resolve) => {
      pending.done = resolve;
      timer = setTimeout(() => {
        this.log(`[scaleout] ${room.id}: ${pending.expected - pending.received} instance(s) did not answer the catch-up request in time`);
        resolve();
      }, this.opts.catchUpTimeoutMs ?? 2000);
    });
    this.pending.set(requestId, pending);
    try {
      const msg = encodeBusMessage({ kind: 'syncRequest', from: this.instanceId, requestId, stateVector: Y.encodeStateVector(room.doc) });
      const receivers = await this.withTimeout(this.pub.publish(this.syncChannel(room.id), Buffer.from(msg)), `catch-up request for ${room.id}`);
      pending.expected = Math.max(0, receivers - 1); // minus our own subscription
      if (pending.received >= pending.expected) pending.done();
      await finished;
    } catch (err) {
      this.log(`[scaleout] ${room.id}: catch-up request failed; serving the stored state`, err);
    } finally {
      clearTimeout(timer);
      this.pending.delete(requestId);
    }
  }

  private get linksChannel(): string {
    return `${this.prefix}links`;
  }

  /** Where other instances' link changes go (one listener: the server's revoke). */
  onLinkChange(fn: (change: LinkChange) => void): void {
    this.linkListener = fn;
  }

  /** Tells every other instance about a rotation or deletion made here. */
  publishLinkChange(change: LinkChange): void {
    if (this.closed) return;
    const data = JSON.stringify({ ...change, from: this.instanceId });
    this.pub.publish(this.linksChannel, data).catch((err) => this.log(`[scaleout] could not relay a link change of ${change.sessionId}`, err));
  }

  private onLinkMessage(data: Uint8Array): void {
    try {
      const m = JSON.parse(Buffer.from(data).toString('utf8')) as LinkChange & { from?: string };
      if (m.from === this.instanceId || typeof m.sessionId !== 'string' || typeof m.code !== 'number' || typeof m.reason !== 'string') return;
      this.linkListener?.({ sessionId: m.sessionId, code: m.code, reason: m.reason, ...(Array.isArray(m.roles) ? { roles: m.roles } : {}), deleted: m.deleted === true });
    } catch (err) {
      this.log('[scaleout] dropped a malformed link change', err);
    }
  }

  private onMessage(channel: string, data: Uint8Array): void {
    if (channel === this.linksChannel) return this.onLinkMessage(data);
    let msg: BusMessage;
    try {
      msg = decodeBusMessage(data);
    } catch (err) {
      return this.log(`[scaleout] dropped a malformed message on ${channel}`, err);
    }
    if (msg.from === this.instanceId) return;
    try {
      if (msg.kind === 'syncReply') return this.onSyncReply(msg);
      for (const prefix of [`${this.prefix}room:`, `${this.prefix}sync:`]) {
        if (channel.startsWith(prefix)) return this.onRoomMessage(channel.slice(prefix.length), msg);
      }
    } catch (err) {
      this.log(`[scaleout] could not apply a ${msg.kind} message on ${channel}`, err);
    }
  }

  private onRoomMessage(sessionId: string, msg: Exclude<BusMessage, { kind: 'syncReply' }>): void {
    const room = this.rooms.get(sessionId)?.room;
    const live = room && !room.closed ? room : null;
    switch (msg.kind) {
      case 'update':
        if (live) Y.applyUpdate(live.doc, msg.update, REMOTE_ORIGIN);
        return;
      case 'awareness':
        if (live) applyAwarenessUpdate(live.awareness, msg.update, REMOTE_ORIGIN);
        return;
      case 'syncRequest': {
        // Answer even without the room (it is unloading here), so the requester need not time out.
        const ids = live ? [...live.awareness.getStates().keys()] : [];
        const reply = encodeBusMessage({
          kind: 'syncReply',
          from: this.instanceId,
          sessionId,
          requestId: msg.requestId,
          held: !!live,
          update: live ? Y.encodeStateAsUpdate(live.doc, msg.stateVector) : new Uint8Array(0),
          stateVector: live ? Y.encodeStateVector(live.doc) : new Uint8Array(0),
          awareness: ids.length > 0 ? encodeAwarenessUpdate(live!.awareness, ids) : new Uint8Array(0),
        });
        this.pub.publish(this.instanceChannel(msg.from), Buffer.from(reply)).catch((err) => this.log(`[scaleout] ${sessionId}: catch-up reply failed`, err));
        return;
      }
    }
  }

  private onSyncReply(msg: Extract<BusMessage, { kind: 'syncReply' }>): void {
    const room = this.rooms.get(msg.sessionId)?.room;
    // A late reply (after a timeout) still carries real edits: apply it whenever the room is here.
    if (msg.held && room && !room.closed) {
      Y.applyUpdate(room.doc, msg.update, REMOTE_ORIGIN);
      if (msg.awareness.length > 0) applyAwarenessUpdate(room.awareness, msg.awareness, REMOTE_ORIGIN);
      // Step 2 the other way: what we hold that the replier lacks (e.g. after a Redis outage).
      const theirs = Y.decodeStateVector(msg.stateVector);
      const ours = Y.decodeStateVector(Y.encodeStateVector(room.doc));
      if ([...ours].some(([client, clock]) => (theirs.get(client) ?? 0) < clock)) {
        this.publish(this.roomChannel(room.id), { kind: 'update', from: this.instanceId, update: Y.encodeStateAsUpdate(room.doc, msg.stateVector) });
      }
    }
    const p = this.pending.get(msg.requestId);
    if (p && p.sessionId === msg.sessionId && ++p.received >= p.expected) p.done();
  }

  private publish(channel: string, msg: BusMessage): void {
    if (this.closed) return;
    this.pub.publish(channel, Buffer.from(encodeBusMessage(msg))).catch((err) => this.log(`[scaleout] publish on ${channel} failed`, err));
  }

  private roomChannel(sessionId: string): string {
    return `${this.prefix}room:${sessionId}`;
  }

  private syncChannel(sessionId: string): string {
    return `${this.prefix}sync:${sessionId}`;
  }

  private instanceChannel(id: string): string {
    return `${this.prefix}instance:${id}`;
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.opts.catchUpTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]).finally(() =>
      clearTimeout(timer),
    );
  }
}

const redact = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');

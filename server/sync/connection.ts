// One websocket on /sync/<sessionId>: joins the room, validates every frame before the room sees
// it, and enforces the limits. Frames that arrive while the room is still loading are buffered
// and replayed in order. A bad frame closes only this connection (4400, or 1009 when too big)
// with a reason; the document and everyone else are untouched. Dead peers are found by ping.
// A socket that does not read what it is sent (its buffer stays over sendBufferBytes for
// sendBufferGraceMs) is closed with 1013 try-again-later, so one stalled client cannot make the
// server hold an ever-growing copy of the room's traffic; its client resyncs when it reconnects.
import type { WebSocket, RawData } from 'ws';
import type { RoomRegistry } from '../rooms/registry';
import type { Peer, Room } from '../rooms/room';
import { CLOSE, ProtocolError, decodeClientMessage } from './protocol';
import { TimeBudget, TokenBucket } from './rate-limit';
import { rejected } from '../ops/metrics';
import { writePrepared } from './prepared-frame';

/** Close codes by name, for the rejected-messages metric's `reason` label. */
const CLOSE_NAMES = new Map<number, string>(Object.entries(CLOSE).map(([name, code]) => [code, name]));

/** One apply-time budget per session (room) on this instance, shared by all its connections. */
const budgets = new WeakMap<Room, TimeBudget>();

export interface ConnectionOptions {
  maxMessageBytes: number;
  pingIntervalMs: number;
  /** Token bucket per connection (server/sync/rate-limit.ts); unset: no limit. */
  maxMessagesPerSecond?: number;
  messageBurst?: number;
  /** Main-thread milliseconds per second one session may spend applying its participants' messages (TimeBudget); unset: no limit. */
  roomApplyMsPerSecond?: number;
  /** Connections one room takes on this instance; the next is closed with CLOSE.roomFull. */
  maxConnectionsPerRoom?: number;
  log?: (msg: string, err?: unknown, fields?: Record<string, unknown>) => void;
  /** Backpressure: unsent bytes a socket may hold (ws bufferedAmount) for longer than sendBufferGraceMs; unset: no limit. */
  sendBufferBytes?: number;
  sendBufferGraceMs?: number;
  /** A view-link connection: its document updates are dropped unapplied (it still syncs, reads and has presence). */
  readOnly?: boolean;
}

const toBytes = (data: RawData): Uint8Array => {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
};

// Close reasons are limited to 123 bytes by the websocket spec.
const clip = (reason: string): string => (Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString() + '…');

let nextConnectionId = 1;

export function handleConnection(ws: WebSocket, sessionId: string, rooms: RoomRegistry, opts: ConnectionOptions): void {
  let room: Room | null = null;
  let closed = false;
  const queue: Uint8Array[] = [];
  let queued = 0;
  const fields = { sessionId, connection: nextConnectionId++ };
  /** The server closed this connection (a refusal): whatever it sent after is dropped. */
  let refused = false;
  /** The room's hold was given back (on close, once frames the budget held back are applied). */
  let released = false;
  const releaseRoom = (): void => {
    if (!room || released) return;
    released = true;
    rooms.release(room);
  };
  const log = (msg: string, err?: unknown) => opts.log?.(msg, err, fields);

  const onSent = (err?: Error) => err && peer.close(CLOSE.internalError, 'send failed');
  const peer: Peer = {
    send(data) {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(data, onSent);
      if (bound !== undefined && ws.bufferedAmount > bound) checkBackpressure();
    },
    sendPrepared(f) {
      if (ws.readyState !== ws.OPEN) return;
      if (!writePrepared(ws, f)) ws.send(f.payload, onSent);
      if (bound !== undefined && ws.bufferedAmount > bound) checkBackpressure();
    },
    close(code, reason) {
      refused = true;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
        rejected.inc({ code: String(code), reason: CLOSE_NAMES.get(code) ?? 'other' });
        ws.close(code, clip(reason));
      }
    },
  };

  // Backpressure: over the bound since `overSince`; checked on every send while over, and by a
  // timer in case nothing more is sent.
  const bound = opts.sendBufferBytes;
  const grace = opts.sendBufferGraceMs ?? 10_000;
  let overSince = 0;
  let bpTimer: ReturnType<typeof setTimeout> | null = null;
  const checkBackpressure = (): void => {
    if (closed || bound === undefined || ws.readyState !== ws.OPEN) return;
    const buffered = ws.bufferedAmount;
    if (buffered <= bound) {
      overSince = 0;
      return;
    }
    const t = performance.now();
    if (!overSince) overSince = t;
    if (t - overSince >= grace) {
      log(`[sync] ${sessionId}: closing a socket that is not reading (${buffered} bytes unsent for ${Math.round(t - overSince)} ms)`);
      peer.close(CLOSE.tryAgainLater, `too slow: ${buffered} bytes unsent for over ${Math.round(grace / 1000)} s; reconnect to resync`);
      // The close frame waits behind the unsent bytes, which this peer is not reading: do not wait for it.
      setTimeout(() => ws.terminate(), 1000).unref();
      return;
    }
    bpTimer ??= setTimeout(
      () => {
        bpTimer = null;
        checkBackpressure();
      },
      grace - (t - overSince) + 5,
    );
  };

  const process = (data: Uint8Array): boolean => {
    if (!room || refused) return false;
    if (data.length > opts.maxMessageBytes) {
      peer.close(CLOSE.tooBig, `message of ${data.length} bytes exceeds the limit of ${opts.maxMessageBytes}`);
      return false;
    }
    try {
      const msg = decodeClientMessage(data);
      // After the client left, only its document edits still count (no presence for someone gone).
      if (closed && msg.kind !== 'syncStep2' && msg.kind !== 'syncUpdate') return true;
      // A viewer's writes never reach the room, its peers or the database (as y-redis does).
      if (opts.readOnly && (msg.kind === 'syncStep2' || msg.kind === 'syncUpdate')) return true;
      room.receive(peer, msg);
      return true;
    } catch (err) {
      const code = err instanceof ProtocolError ? err.closeCode : CLOSE.badMessage;
      peer.close(code, err instanceof ProtocolError ? err.message : `could not apply message: ${(err as Error).message}`);
      if (!(err instanceof ProtocolError)) log(`[sync] ${sessionId}: rejected a message`, err);
      return false;
    }
  };

  // Apply-time fairness between sessions (TimeBudget): while this session is in debt, this socket
  // is paused and its messages wait here, in order; nothing is dropped.
  const waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  let pausedTimer: ReturnType<typeof setTimeout> | null = null;
  const budgetOf = (r: Room): TimeBudget | null => {
    const rate = opts.roomApplyMsPerSecond;
    if (!rate) return null;
    let b = budgets.get(r);
    if (!b) budgets.set(r, (b = new TimeBudget(rate, rate)));
    return b;
  };
  const applyNow = (data: Uint8Array): boolean => {
    if (refused) return true; // refused already: what is left is dropped, as on arrival
    const budget = budgetOf(room!);
    const wait = budget?.waitMs() ?? 0;
    if (wait > 0) {
      if (!pausedTimer) {
        if (!closed) ws.pause();
        pausedTimer = setTimeout(() => {
          pausedTimer = null;
          if (!closed) ws.resume();
          while (waiting.length > 0 && !pausedTimer && !refused) {
            const next = waiting[0]!;
            if (!applyNow(next)) break;
            waiting.shift();
            waitingBytes -= next.length;
          }
          // A client that sent edits and left while throttled: they were applied at the session's pace, now let go.
          if (closed && !pausedTimer) releaseRoom();
        }, wait);
      }
      return false;
    }
    const t0 = performance.now();
    process(data);
    budget?.spend(performance.now() - t0);
    return true;
  };
  const deliver = (data: Uint8Array): void => {
    if (waiting.length === 0 && applyNow(data)) return;
    waiting.push(data);
    waitingBytes += data.length;
    // Paused sockets still hand over what was already buffered; more than that is a client ignoring backpressure.
    if (waitingBytes > opts.maxMessageBytes * 4) peer.close(CLOSE.rateLimited, 'too much data sent while the session was catching up; slow down and reconnect');
  };

  const bucket = opts.maxMessagesPerSecond ? new TokenBucket(opts.maxMessagesPerSecond, opts.messageBurst ?? opts.maxMessagesPerSecond) : null;

  ws.on('message', (raw, isBinary) => {
    // Once we have said no, whatever is still in flight from this socket is ignored.
    if (ws.readyState !== ws.OPEN) return;
    if (bucket && !bucket.take()) {
      return peer.close(CLOSE.rateLimited, `more than ${bucket.perSecond} messages per second (burst ${bucket.burst}); slow down and reconnect`);
    }
    if (!isBinary) return peer.close(CLOSE.badMessage, 'text frames are not part of the protocol');
    const data = toBytes(raw);
    if (room) return void deliver(data);
    queued += data.length;
    if (queued > opts.maxMessageBytes * 4) return peer.close(CLOSE.tooBig, 'too much data sent before the session finished loading');
    queue.push(data);
  });

  let alive = true;
  ws.on('pong', () => (alive = true));
  const ping = setInterval(() => {
    // A socket paused by the apply budget cannot read its pong; it is alive, its frames are waiting.
    if (!alive && !pausedTimer) return ws.terminate();
    alive = false;
    ws.ping();
  }, opts.pingIntervalMs);

  ws.on('close', () => {
    closed = true;
    clearInterval(ping);
    if (bpTimer) clearTimeout(bpTimer);
    // Edits the client sent before leaving are not dropped: those waiting for the apply budget
    // are still applied (at the session's pace) unless the server refused this connection.
    const draining = !!pausedTimer && !refused && waiting.length > 0;
    if (!draining) {
      if (pausedTimer) clearTimeout(pausedTimer);
      pausedTimer = null;
      waiting.length = 0;
    }
    if (room) {
      room.removePeer(peer);
      if (!draining) releaseRoom();
    }
  });
  ws.on('error', (err) => log(`[sync] ${sessionId}: socket error`, err));

  rooms.acquire(sessionId).then(
    (r) => {
      if (!r) return peer.close(CLOSE.unknownSession, `unknown session ${sessionId}`);
      if (closed) {
        // Left while the session loaded: its edits still count (room.receive takes no peer membership).
        if (refused || queue.length === 0) return rooms.release(r);
        room = r;
        try {
          for (const data of queue.splice(0)) deliver(data);
        } finally {
          if (!pausedTimer) releaseRoom();
        }
        return;
      }
      const cap = opts.maxConnectionsPerRoom;
      if (cap !== undefined && r.peers.size >= cap) {
        rooms.release(r);
        return peer.close(CLOSE.roomFull, `session is full: ${cap} connections is the limit per session`);
      }
      room = r;
      // A throw here would be an unhandled rejection (this runs in a promise callback): contain it.
      try {
        r.addPeer(peer);
        for (const data of queue.splice(0)) deliver(data);
      } catch (err) {
        log(`[sync] ${sessionId}: could not join the session`, err);
        peer.close(CLOSE.internalError, 'could not join the session');
      }
    },
    (err) => {
      log(`[sync] ${sessionId}: could not load session`, err);
      peer.close(CLOSE.internalError, 'could not load session');
    },
  );
}

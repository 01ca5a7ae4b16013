// A websocket frame built once and written as is to many sockets. ws's send() builds the frame
// header for every socket and writes header and payload as two buffers (cork, two writes,
// uncork → writev, plus a write callback per socket); a room of 1,000 sent the same merged update
// 1,000 times per tick that way. Here the fan-out frames the message once (ws's own
// Sender.frame: a final, unmasked binary frame, as a server sends) and each socket gets one
// socket.write of the same Buffer.
//
// The shortcut is taken only where it is exactly what ws.send would put on the wire at that point:
// the socket is open, this connection negotiated no extension (permessage-deflate would compress
// per socket; the server does not offer it, but a changed option must not corrupt frames), and
// ws's sender has nothing queued or in progress (it never does without compression, but then the
// frame must wait its turn, so ws.send is used). ws counts the written bytes in bufferedAmount
// (the socket's writable length), so backpressure sees them as before. A write error destroys the
// socket, which ws reports as a close like any other.
import type WebSocket from 'ws';
import * as ws from 'ws';

/** ws's frame builder (exported by ws, not declared by @types/ws). */
const Sender = (ws as unknown as { Sender: { frame(data: Buffer, opts: object): Buffer[] } }).Sender;

export interface PreparedFrame {
  /** The message (for ws.send when the shortcut does not apply). */
  readonly payload: Uint8Array;
  /** Header and payload, one buffer. */
  readonly wire: Buffer;
}

export function prepareFrame(payload: Uint8Array): PreparedFrame {
  const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const parts = Sender.frame(data, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
  return { payload, wire: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
}

/** ws internals read here (ws 8: lib/websocket.js, lib/sender.js). */
interface WsInternals {
  _socket?: { write(data: Buffer): boolean; destroyed: boolean } | null;
  _extensions?: Record<string, unknown>;
  _sender?: { _state: number; _queue: unknown[] } | null;
}

/** Writes the prepared frame straight to the socket; false when ws.send must be used instead. */
export function writePrepared(ws: WebSocket, frame: PreparedFrame): boolean {
  const w = ws as unknown as WsInternals;
  const socket = w._socket;
  const sender = w._sender;
  if (!socket || socket.destroyed || !sender || sender._state !== 0 || sender._queue.length > 0) return false;
  for (const _ in w._extensions ?? {}) return false;
  socket.write(frame.wire);
  return true;
}

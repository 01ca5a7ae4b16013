// The y-websocket wire format, outer layer. Every websocket frame is one message:
//   varUint messageType | body
// messageType 0 = sync (body: see sync.ts), 1 = awareness (body: varUint8Array awareness update,
// see awareness.ts), 2 = auth (server → client only; a client never sends it), 3 = query
// awareness (empty body: "send me everyone's presence"). Anything else is a protocol error.
// Decoding is pure and total: it either returns a fully parsed message or throws
// ProtocolError, so a bad frame is rejected before anything touches the document.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { readSyncBody, type SyncMessage } from './sync';
import { readAwarenessBody, type AwarenessMessage } from './awareness';
import { ProtocolError } from './errors';

export { CLOSE, ProtocolError } from './errors';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

export type ClientMessage = SyncMessage | AwarenessMessage | { kind: 'queryAwareness' };

/** Parses one frame from a client. Throws ProtocolError on anything malformed or unknown. */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  if (frame.length === 0) throw new ProtocolError('empty message');
  const decoder = decoding.createDecoder(frame);
  let msg: ClientMessage;
  try {
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
        msg = readSyncBody(decoder);
        break;
      case MESSAGE_AWARENESS:
        msg = readAwarenessBody(decoder);
        break;
      case MESSAGE_QUERY_AWARENESS:
        msg = { kind: 'queryAwareness' };
        break;
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    // lib0 throws plain errors on truncated input ("Unexpected end of array" etc.)
    throw new ProtocolError(`malformed message: ${(err as Error).message}`);
  }
  if (decoding.hasContent(decoder)) throw new ProtocolError(`malformed message: ${frame.length - decoder.pos} trailing bytes`);
  return msg;
}

/** Frames a body written by `write` under the given outer message type. */
export function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

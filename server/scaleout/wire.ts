// The messages Tutti instances exchange over Redis in scale-out mode (pure encode/decode, no I/O).
// Every message starts with the sender's instance id, so an instance drops its own echoes.
//   <prefix>room:<sessionId>   update | awareness
//   <prefix>sync:<sessionId>   syncRequest (subscribed only by instances holding the room)
//   <prefix>instance:<id>      syncReply (the answer to one syncRequest)
// syncRequest/syncReply are y-protocols sync step 1/2 between instances: the requester sends its
// state vector, each holder answers with the update the requester lacks plus its own state
// vector (so the requester can send back what the holder lacks) and its presence states.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const KIND_UPDATE = 0;
export const KIND_AWARENESS = 1;
export const KIND_SYNC_REQUEST = 2;
export const KIND_SYNC_REPLY = 3;

export type BusMessage =
  | { kind: 'update'; from: string; update: Uint8Array }
  | { kind: 'awareness'; from: string; update: Uint8Array }
  | { kind: 'syncRequest'; from: string; requestId: number; stateVector: Uint8Array }
  | {
      kind: 'syncReply';
      from: string;
      sessionId: string;
      requestId: number;
      /** false: the replier does not hold the room (answers anyway so the requester need not wait). */
      held: boolean;
      update: Uint8Array;
      stateVector: Uint8Array;
      awareness: Uint8Array;
    };

export function encodeBusMessage(m: BusMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, m.from);
  switch (m.kind) {
    case 'update':
    case 'awareness':
      encoding.writeVarUint(e, m.kind === 'update' ? KIND_UPDATE : KIND_AWARENESS);
      encoding.writeVarUint8Array(e, m.update);
      break;
    case 'syncRequest':
      encoding.writeVarUint(e, KIND_SYNC_REQUEST);
      encoding.writeVarUint(e, m.requestId);
      encoding.writeVarUint8Array(e, m.stateVector);
      break;
    case 'syncReply':
      encoding.writeVarUint(e, KIND_SYNC_REPLY);
      encoding.writeVarString(e, m.sessionId);
      encoding.writeVarUint(e, m.requestId);
      encoding.writeVarUint(e, m.held ? 1 : 0);
      encoding.writeVarUint8Array(e, m.update);
      encoding.writeVarUint8Array(e, m.stateVector);
      encoding.writeVarUint8Array(e, m.awareness);
      break;
  }
  return encoding.toUint8Array(e);
}

/** Decodes one bus message; throws on anything malformed (the caller logs and drops it). */
export function decodeBusMessage(data: Uint8Array): BusMessage {
  const d = decoding.createDecoder(data);
  const from = decoding.readVarString(d);
  const kind = decoding.readVarUint(d);
  let m: BusMessage;
  switch (kind) {
    case KIND_UPDATE:
    case KIND_AWARENESS:
      m = { kind: kind === KIND_UPDATE ? 'update' : 'awareness', from, update: decoding.readVarUint8Array(d) };
      break;
    case KIND_SYNC_REQUEST:
      m = { kind: 'syncRequest', from, requestId: decoding.readVarUint(d), stateVector: decoding.readVarUint8Array(d) };
      break;
    case KIND_SYNC_REPLY:
      m = {
        kind: 'syncReply',
        from,
        sessionId: decoding.readVarString(d),
        requestId: decoding.readVarUint(d),
        held: decoding.readVarUint(d) === 1,
        update: decoding.readVarUint8Array(d),
        stateVector: decoding.readVarUint8Array(d),
        awareness: decoding.readVarUint8Array(d),
      };
      break;
    default:
      throw new Error(`unknown bus message kind ${kind}`);
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes in bus message');
  return m;
}

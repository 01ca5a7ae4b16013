// The sync sub-protocol of y-protocols (message type 0). Handshake: each side sends step 1 (its
// state vector); the other answers step 2 (the update holding everything the first lacks); from
// then on both send incremental updates. Body layout:
//   varUint syncType (0 step1 | 1 step2 | 2 update) | varUint8Array payload
// step1's payload is an encoded state vector, step2's and update's an encoded Yjs update.
// Payloads are validated by fully decoding them here, before they reach the document.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ProtocolError } from './errors';

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export type SyncMessage =
  | { kind: 'syncStep1'; stateVector: Uint8Array }
  | { kind: 'syncStep2'; update: Uint8Array }
  | { kind: 'syncUpdate'; update: Uint8Array };

export function readSyncBody(decoder: decoding.Decoder): SyncMessage {
  const syncType = decoding.readVarUint(decoder);
  const payload = decoding.readVarUint8Array(decoder);
  switch (syncType) {
    case SYNC_STEP1:
      try {
        Y.decodeStateVector(payload);
      } catch (err) {
        throw new ProtocolError(`malformed state vector: ${(err as Error).message}`);
      }
      return { kind: 'syncStep1', stateVector: payload };
    case SYNC_STEP2:
    case SYNC_UPDATE:
      assertValidUpdate(payload);
      return syncType === SYNC_STEP2 ? { kind: 'syncStep2', update: payload } : { kind: 'syncUpdate', update: payload };
    default:
      throw new ProtocolError(`unknown sync message type ${syncType}`);
  }
}

/** Throws ProtocolError unless `update` decodes completely as a Yjs v1 update. */
export function assertValidUpdate(update: Uint8Array): void {
  try {
    Y.decodeUpdate(update);
  } catch (err) {
    throw new ProtocolError(`malformed update: ${(err as Error).message}`);
  }
}

export function writeSyncStep1(encoder: encoding.Encoder, doc: Y.Doc): void {
  encoding.writeVarUint(encoder, SYNC_STEP1);
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc));
}

export function writeSyncStep2(encoder: encoding.Encoder, doc: Y.Doc, stateVector?: Uint8Array): void {
  encoding.writeVarUint(encoder, SYNC_STEP2);
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector));
}

/** Step 2 carrying an already-encoded update (e.g. a stored snapshot for a client with nothing). */
export function writeSyncStep2FromUpdate(encoder: encoding.Encoder, update: Uint8Array): void {
  encoding.writeVarUint(encoder, SYNC_STEP2);
  encoding.writeVarUint8Array(encoder, update);
}

export function writeSyncUpdate(encoder: encoding.Encoder, update: Uint8Array): void {
  encoding.writeVarUint(encoder, SYNC_UPDATE);
  encoding.writeVarUint8Array(encoder, update);
}

// The awareness sub-protocol of y-protocols (message type 1): ephemeral presence (cursor, name,
// colour) that is never persisted. Body: varUint8Array update, where update is
//   varUint count | count × (varUint clientID | varUint clock | varString JSON state or "null")
// We parse it completely (including the JSON) before handing the bytes to y-protocols, so a
// malformed update is rejected as a whole instead of being half-applied.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import { ProtocolError } from './errors';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null = the client left */
  state: unknown;
}

export type AwarenessMessage = { kind: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] };

export function readAwarenessBody(decoder: decoding.Decoder): AwarenessMessage {
  const update = decoding.readVarUint8Array(decoder);
  return { kind: 'awareness', update, entries: parseAwarenessUpdate(update) };
}

export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const count = decoding.readVarUint(d);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const json = decoding.readVarString(d);
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      throw new ProtocolError('malformed awareness state (not JSON)');
    }
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(d)) throw new ProtocolError('malformed awareness update: trailing bytes');
  return entries;
}

export function writeAwarenessUpdate(encoder: encoding.Encoder, awareness: Awareness, clients: number[]): void {
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, clients));
}

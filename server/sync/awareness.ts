// The awareness sub-protocol of y-protocols (message type 1): ephemeral presence (cursor, name,
// colour) that is never persisted. Body: varUint8Array update, where update is
//   varUint count | count × (varUint clientID | varUint clock | varString JSON state or "null")
// We parse it completely before anything applies it, so a malformed update is rejected as a
// whole instead of being half-applied. y-protocols' applyAwarenessUpdate would JSON.parse every
// state itself, whatever its size or nesting; here each state is checked for size (on the raw
// bytes, before decoding), then nesting depth (on the text, before JSON.parse), then against the
// presence schema (lib/presence). Only checked entries are re-encoded (encodeAwarenessEntries) and
// applied.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import { MAX_PRESENCE_BYTES, MAX_PRESENCE_DEPTH, jsonDepth, presenceStateSchema } from '../../lib/presence/state';
import { ProtocolError } from './errors';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null = the client left */
  state: unknown;
  /** The state exactly as sent (checked), so applying it needs no second stringify. */
  json: string;
}

export type AwarenessMessage = { kind: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] };

/**
 * Entries one update may carry. A stock client echoes every state it knows in one message, so
 * this must exceed the participants of a room (TUTTI_MAX_CONNECTIONS_PER_ROOM, 2,000 by default,
 * times the instances in scale-out); it bounds the work one frame can cause.
 */
export const MAX_AWARENESS_ENTRIES = 10_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readAwarenessBody(decoder: decoding.Decoder): AwarenessMessage {
  const update = decoding.readVarUint8Array(decoder);
  return { kind: 'awareness', update, entries: parseAwarenessUpdate(update) };
}

export function parseAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const count = decoding.readVarUint(d);
  if (count > MAX_AWARENESS_ENTRIES) throw new ProtocolError(`awareness update with ${count} entries exceeds the limit of ${MAX_AWARENESS_ENTRIES}`);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const bytes = decoding.readVarUint8Array(d);
    if (bytes.length > MAX_PRESENCE_BYTES) throw new ProtocolError(`presence state of ${bytes.length} bytes exceeds the limit of ${MAX_PRESENCE_BYTES}`);
    let json: string;
    try {
      json = utf8.decode(bytes);
    } catch {
      throw new ProtocolError('malformed awareness state (not UTF-8)');
    }
    entries.push({ clientId, clock, state: parseState(json), json });
  }
  if (decoding.hasContent(d)) throw new ProtocolError('malformed awareness update: trailing bytes');
  return entries;
}

function parseState(json: string): unknown {
  if (jsonDepth(json, MAX_PRESENCE_DEPTH) > MAX_PRESENCE_DEPTH) throw new ProtocolError(`presence state nested deeper than ${MAX_PRESENCE_DEPTH} levels`);
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    throw new ProtocolError('malformed awareness state (not JSON)');
  }
  if (state === null) return null;
  const r = presenceStateSchema.safeParse(state);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ProtocolError(`invalid presence state: ${issue.path.join('.') || 'state'}: ${issue.message}`);
  }
  return state;
}

/** Encodes checked entries as an awareness update (the layout above), for applyAwarenessUpdate. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, entry.json);
  }
  return encoding.toUint8Array(e);
}

export function writeAwarenessUpdate(encoder: encoding.Encoder, awareness: Awareness, clients: number[]): void {
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, clients));
}

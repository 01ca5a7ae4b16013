// Stable, unguessable ids for notes and tracks. Random rather than counters so two offline peers
// never mint the same id, which would make their concurrent inserts overwrite each other.
import type { NoteId, TrackId } from './types';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export function randomId(length = 16): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += ALPHABET[b & 63];
  return s;
}

export const newNoteId = (): NoteId => randomId(12) as NoteId;
export const newTrackId = (): TrackId => randomId(10) as TrackId;

// A room's gate for participants' document updates: the score schema (update-guard.ts) and the
// session's limits — stored size, notes, tracks. Size is tracked incrementally: the bytes stored
// at load plus every update applied since, an upper bound of what a compaction would store. Only
// when that bound would pass the limit is the document encoded once to learn its real size (and
// the bound reset to it), so a message costs nothing extra until a session nears its limit.
import * as Y from 'yjs';
import { MAX_DOC_BYTES, MAX_NOTES, MAX_TRACKS } from '@/lib/score/limits';
import { dropInvalidEntries, type InvalidEntry } from '@/lib/score/validate';
import { applyGuardedUpdate } from './update-guard';
import { CLOSE, ProtocolError } from './errors';

export interface DocLimits {
  /** Largest stored document (bytes of its encoded state). */
  maxDocBytes: number;
  maxNotes: number;
  maxTracks: number;
  /** false only for benchmarks measuring the guard's cost: updates are applied unchecked. */
  schemaGuard: boolean;
}

export const DEFAULT_DOC_LIMITS: DocLimits = { maxDocBytes: MAX_DOC_BYTES, maxNotes: MAX_NOTES, maxTracks: MAX_TRACKS, schemaGuard: true };

export class DocGuard {
  /** Upper bound of the document's encoded size. */
  private bytes = 0;
  /**
   * Whether anything was deleted since the size was last measured. Only a deletion can make a new
   * measurement come out lower than the bound, so without one a session at its limit refuses
   * straight away: a client repeating an oversized update must not make the server encode the
   * whole document once per message.
   */
  private mayHaveShrunk = true;
  /** How many times the document was encoded to learn its size (tests and diagnostics). */
  measurements = 0;

  constructor(readonly limits: DocLimits = DEFAULT_DOC_LIMITS) {}

  /** The size of the state as loaded from the store. */
  loaded(bytes: number): void {
    this.bytes = bytes;
    this.mayHaveShrunk = true;
  }

  /** A transaction deleted something: the next check near the limit measures the real size again. */
  deleted(): void {
    this.mayHaveShrunk = true;
  }

  /** Any update applied to the document (a participant's, the server's, another instance's). */
  grew(bytes: number): void {
    this.bytes += bytes;
  }

  /**
   * Applies a participant's update, or throws ProtocolError (and applies nothing of it). A resync
   * (the sender's sync step 2) may instead be applied with its invalid parts undone, under
   * `resync.repairOrigin`; returns true then (update-guard.ts, applyGuardedUpdate).
   */
  apply(doc: Y.Doc, update: Uint8Array, origin: unknown, resync?: { repairOrigin: unknown }): boolean {
    if (!this.limits.schemaGuard) {
      Y.applyUpdate(doc, update, origin);
      return false;
    }
    this.admitSize(doc, update.length);
    return applyGuardedUpdate(doc, update, origin, this.limits, resync);
  }

  private admitSize(doc: Y.Doc, incoming: number): void {
    const max = this.limits.maxDocBytes;
    if (this.bytes + incoming <= max) return;
    if (this.mayHaveShrunk) {
      this.bytes = Y.encodeStateAsUpdate(doc).length;
      this.mayHaveShrunk = false;
      this.measurements++;
    }
    if (this.bytes + incoming > max)
      throw new ProtocolError(`this update (${incoming} bytes) would take the session past its size limit of ${max} bytes (now ${this.bytes})`, CLOSE.overLimit);
  }

  /** Drops entries a stored document holds that are not valid (written before the guard existed). */
  repair(doc: Y.Doc, origin: unknown): InvalidEntry[] {
    return dropInvalidEntries(doc, origin);
  }
}

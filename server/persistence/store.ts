// What the rooms need from storage, and nothing more: sessions, an append-only log of Yjs
// updates per session, and compaction of that log into a snapshot. Rooms depend on this
// interface, not on Prisma, so the storage can be swapped or wrapped (e.g. for fault injection).

export interface SessionRecord {
  id: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a session stores about its share links: only hashes, and the view token sealed under the edit token. */
export interface SessionLinkColumns {
  ownerTokenHash: string;
  editTokenHash: string;
  viewTokenHash: string;
  viewTokenSealed: string;
}

export interface StoredDoc {
  /** Compacted state (Y.encodeStateAsUpdate) or null before the first compaction. */
  snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, oldest first. */
  updates: Uint8Array[];
}

export interface CompactionResult {
  /** How many appended updates were folded into the snapshot. */
  merged: number;
  snapshotBytes: number;
}

export interface DocStore {
  /** `links`: hashes of the share-link tokens (server/auth); omitted = an open (pre-links) session. */
  createSession(id: string, title: string, initialState: Uint8Array, links?: SessionLinkColumns): Promise<SessionRecord>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** The stored document, or null when the session does not exist. */
  loadDoc(id: string): Promise<StoredDoc | null>;
  /** Appends one (merged) update; durable when the promise resolves. */
  appendUpdate(id: string, update: Uint8Array): Promise<void>;
  /** Folds the snapshot and every update appended so far into a new snapshot. */
  compact(id: string): Promise<CompactionResult>;
  /** Bytes stored for a session (snapshot + pending updates). */
  storedBytes(id: string): Promise<number>;
}

export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super(`session not found: ${sessionId}`);
    this.name = 'SessionNotFoundError';
  }
}

// Size limits of one session, shared by the editor (which refuses an import that would exceed
// them, with a message) and the server (whose config defaults come from here and which enforces
// them on every incoming update). One source of truth so the two never disagree.

/** Notes one session may hold. */
export const MAX_NOTES = 200_000;
/** Tracks one session may hold. */
export const MAX_TRACKS = 256;
/** Stored document size of one session, in bytes (the encoded Yjs state). */
export const MAX_DOC_BYTES = 16 * 1024 * 1024;
/** One client's presence (awareness) state, as JSON, in bytes. */
export const MAX_PRESENCE_BYTES = 4096;

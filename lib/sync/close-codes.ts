// The websocket close codes of /sync/<id>: one contract for the server that sends them
// (server/sync/errors.ts) and the editor that tells the person what happened
// (app/editor/session/close-advice.ts). 4000–4999 are application-defined in RFC 6455.
export const CLOSE = {
  goingAway: 1001,
  tooBig: 1009,
  internalError: 1011,
  /** A transient server-side failure (e.g. the link token could not be checked): reconnect as usual (RFC 6455 1013). */
  tryAgainLater: 1013,
  badMessage: 4400,
  /** Missing or wrong link token, or the link was rotated (RFC 6455 private range, mirrors HTTP 401). */
  unauthorized: 4401,
  /** The owner deleted the session (mirrors HTTP 410). */
  sessionDeleted: 4410,
  unknownSession: 4404,
  /** A document update that would break the score schema (server/sync/update-guard.ts); nothing of it is applied. */
  invalidUpdate: 4422,
  /** A document update that would exceed TUTTI_MAX_DOC_BYTES, TUTTI_MAX_NOTES or TUTTI_MAX_TRACKS; nothing of it is applied. */
  overLimit: 4413,
  /** More messages per second than TUTTI_MAX_MESSAGES_PER_SECOND allows (after the burst). */
  rateLimited: 4429,
  /** The session already has TUTTI_MAX_CONNECTIONS_PER_ROOM connections on this instance. */
  roomFull: 4503,
} as const;

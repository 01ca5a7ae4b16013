// What the editor does when the server closes its websocket, and what it tells the person.
// Reconnecting cannot fix a rotated link, a deleted session or a refused change: the server would
// say no again (and a refused change would be resent on every reconnect, forever), so those stop
// the provider and say why. A full session or a flood is worth retrying, but slowly. Everything
// else (a restart, a network drop) keeps y-websocket's own quick reconnect. The local document and
// its IndexedDB copy are never touched here: a refused edit stays in this browser.
import { CLOSE } from '@/lib/sync/close-codes';

export type CloseAdvice =
  /** Reconnect as usual (y-websocket's backoff). */
  | { kind: 'transient' }
  /** Stop reconnecting; show `title` and `detail` until the person reloads. */
  | { kind: 'fatal'; code: number; title: string; detail: string; reason: string }
  /** Stop, say so, and try again by itself after `retryMs`. */
  | { kind: 'later'; code: number; title: string; reason: string; retryMs: number };

/** First wait after a 4503/4429; it doubles on each further one, up to the cap, until a sync. */
export const LATER_FIRST_MS = 15_000;
export const LATER_MAX_MS = 120_000;

const KEPT = 'Everything you drew is kept in this browser.';

export function adviceFor(code: number, reason: string, laterAttempt = 0): CloseAdvice {
  const fatal = (title: string, detail: string): CloseAdvice => ({ kind: 'fatal', code, title, detail, reason });
  const later = (title: string): CloseAdvice => ({ kind: 'later', code, title, reason, retryMs: Math.min(LATER_FIRST_MS * 2 ** laterAttempt, LATER_MAX_MS) });
  switch (code) {
    case CLOSE.unauthorized:
      return fatal('This link was rotated or is invalid', `Ask the session’s owner for the current link. ${KEPT}`);
    case CLOSE.sessionDeleted:
      return fatal('This session was deleted', `Its owner deleted it. ${KEPT}`);
    case CLOSE.unknownSession:
      return fatal('This session does not exist', KEPT);
    case CLOSE.invalidUpdate:
    case CLOSE.overLimit:
    case CLOSE.tooBig:
    case CLOSE.badMessage:
      return fatal(`Your change was refused: ${reason || `close code ${code}`}`, `It was not sent to anyone else; it is kept in this browser. Reload to try again.`);
    case CLOSE.roomFull:
      return later('The session is full');
    case CLOSE.rateLimited:
      return later('Too many changes at once');
    default:
      // Other 4400–4499 codes are permanent by y-websocket's own rule.
      return code >= 4400 && code < 4500 ? fatal('The server closed this session', KEPT) : { kind: 'transient' };
  }
}

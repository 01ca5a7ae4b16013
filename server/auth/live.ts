// The sync connections currently open, per session and role, so that rotating a link or deleting a
// session can close exactly the connections that no longer hold a valid token. (One process:
// with several instances behind Redis, each instance only knows its own connections.)
import type { Role } from './tokens';

interface LiveConnection {
  role: Role;
  close(code: number, reason: string): void;
}

export class LiveConnections {
  private readonly bySession = new Map<string, Set<LiveConnection>>();
  /** Counts rotations and deletions per session (never reset while the process lives). */
  private readonly changes = new Map<string, number>();

  /**
   * Changes so far to the session's links. A connection whose token was checked before a change
   * and registered after it may hold a dead token: the caller compares and checks again.
   */
  generation(sessionId: string): number {
    return this.changes.get(sessionId) ?? 0;
  }

  /** Registers an open connection; call the returned function when it closes. */
  add(sessionId: string, role: Role, close: (code: number, reason: string) => void): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    const conn: LiveConnection = { role, close };
    set.add(conn);
    return () => {
      set.delete(conn);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  /** Closes the session's connections of the given roles (all when omitted); returns how many. */
  close(sessionId: string, code: number, reason: string, roles?: readonly Role[]): number {
    this.changes.set(sessionId, this.generation(sessionId) + 1);
    const set = this.bySession.get(sessionId);
    if (!set) return 0;
    let n = 0;
    for (const c of [...set]) {
      if (roles && !roles.includes(c.role)) continue;
      set.delete(c);
      c.close(code, reason);
      n++;
    }
    if (set.size === 0) this.bySession.delete(sessionId);
    return n;
  }

  count(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }
}

// Which presence entries a connection may set. A connection binds to the first client id it
// announces with a state, provided no one in the room holds that id (as a state or a binding); from then on only that
// id's entries (including its `null` removal) are applied. Entries for any other id are dropped,
// not applied and not answered with a close: a stock y-websocket client echoes every awareness
// change it receives — everyone else's states and removals — back to the server, so foreign ids
// in a frame are normal, and applying them would let anyone rewrite anyone's presence.
// A connection that reconnects before the server noticed its old socket died finds its id still
// held; it binds at its next renewal (every 15 s), once the old socket has been reaped.
import type { AwarenessEntry } from './awareness';

export interface PresenceView {
  /** Client ids with a presence state in the room (any connection, any instance). */
  has(clientId: number): boolean;
}

export class PresenceGuard<P> {
  private readonly owner = new Map<P, number>();
  private readonly bound = new Set<number>();

  /** The client id this connection is bound to, if any. */
  boundId(peer: P): number | undefined {
    return this.owner.get(peer);
  }

  /** The entries of `entries` this connection may apply (binding it on first use). */
  accept(peer: P, entries: readonly AwarenessEntry[], present: PresenceView): AwarenessEntry[] {
    let own = this.owner.get(peer);
    if (own === undefined) {
      const first = entries.find((e) => e.state !== null && !present.has(e.clientId) && !this.bound.has(e.clientId));
      if (!first) return [];
      own = first.clientId;
      this.owner.set(peer, own);
      this.bound.add(own);
    }
    return entries.filter((e) => e.clientId === own);
  }

  forget(peer: P): void {
    const own = this.owner.get(peer);
    if (own !== undefined) this.bound.delete(own);
    this.owner.delete(peer);
  }
}

// React bindings to the editor controller's stores.
import { useSyncExternalStore } from 'react';
import type { Editor, UiState } from './editor';
import type { ConnectionState } from './session/connect';
import type { PeerState } from './presence/presence';

export function useUi(ed: Editor): UiState {
  return useSyncExternalStore(ed.subscribeUi, () => ed.ui, () => ed.ui);
}

/** Re-renders on every score change; returns the store version. */
export function useScoreVersion(ed: Editor): number {
  return useSyncExternalStore(ed.store.subscribe, () => ed.store.version, () => 0);
}

export function useConnection(ed: Editor): { state: ConnectionState; synced: boolean; closed: string | null; notice: string | null } {
  const key = useSyncExternalStore(ed.conn.onState, () => JSON.stringify([ed.conn.state(), ed.conn.synced(), ed.conn.closedReason(), ed.conn.notice()]), () => '["connecting",false,null,null]');
  const [state, synced, closed, notice] = JSON.parse(key) as [ConnectionState, boolean, string | null, string | null];
  return { state, synced, closed, notice };
}

export function usePeers(ed: Editor): PeerState[] {
  useSyncExternalStore(ed.presence.subscribe, () => ed.presence.version, () => 0);
  return ed.presence.peers();
}

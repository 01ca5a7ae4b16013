// One browser's connection to a session: the Y.Doc, its IndexedDB copy (edits survive going
// offline and reloads), the y-websocket link to /sync/<id>, awareness, and a per-user undo manager
// that tracks only this user's origin so undo never reverts a collaborator's edit.
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { metaMap, notesMap, tracksMap } from '@/lib/score';
import { adviceFor, type CloseAdvice } from './close-advice';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface SessionConnection {
  readonly sessionId: string;
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  readonly persistence: IndexeddbPersistence;
  /** The origin every local edit carries; the undo manager tracks only this. */
  readonly origin: { readonly user: number };
  readonly undo: Y.UndoManager;
  state(): ConnectionState;
  /** Whether the server has confirmed the document at least once on the current connection. */
  synced(): boolean;
  onState(fn: () => void): () => void;
  /** A terminal close from the server (e.g. rotated link, refused change): its headline, shown to the user. */
  closedReason(): string | null;
  /** What that close means and what to tell the person (session/close-advice.ts). */
  closeAdvice(): Extract<CloseAdvice, { kind: 'fatal' }> | null;
  /** A close worth retrying slowly (session full, flood): what to show while waiting, else null. */
  notice(): string | null;
  destroy(): void;
}

/**
 * Every local edit runs as a transaction with the page's own origin (commands.ts, AI panel, MIDI
 * keyboard): for a viewer those transactions are simply not run, so no gesture or shortcut can
 * put a note into a view-only page's copy of the document. Remote updates still apply.
 */
function refuseLocalWrites(doc: Y.Doc, origin: unknown): void {
  const transact = doc.transact.bind(doc);
  doc.transact = (<T>(fn: (tr: Y.Transaction) => T, o?: unknown): T => (o === origin ? (undefined as T) : transact(fn, o))) as typeof doc.transact;
}

export function syncUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/sync`;
}

export interface ConnectOptions {
  /** The link token, sent as the websocket's `token` URL parameter (session/access.ts). */
  token?: string | null;
  /** A view link: this page never writes to the document (the server would drop it anyway). */
  readOnly?: boolean;
}

export function connectSession(sessionId: string, opts: ConnectOptions = {}): SessionConnection {
  const doc = new Y.Doc();
  const origin = { user: doc.clientID };
  if (opts.readOnly) refuseLocalWrites(doc, origin);
  const persistence = new IndexeddbPersistence(`tutti:${sessionId}`, doc);
  // Cross-tab BroadcastChannel is off: every tab is a full peer through the server, so "offline"
  // means offline and the connection badge never lies about where edits went.
  // Only a transient close reconnects by itself (session/close-advice.ts); the rest end in 'closed'.
  const shouldReconnect = (e: CloseEvent) => adviceFor(e.code, e.reason).kind === 'transient';
  const provider = new WebsocketProvider(syncUrl(window.location), sessionId, doc, { disableBc: true, maxBackoffTime: 2000, shouldReconnect, ...(opts.token ? { params: { token: opts.token } } : {}) });
  const undo = new Y.UndoManager([notesMap(doc), tracksMap(doc), metaMap(doc)], {
    trackedOrigins: new Set([origin]),
    captureTimeout: 0,
  });
  const listeners = new Set<() => void>();
  const emit = () => listeners.forEach((fn) => fn());
  let wsStatus: 'connected' | 'connecting' | 'disconnected' = 'connecting';
  let browserOnline = navigator.onLine;
  let closed: Extract<CloseAdvice, { kind: 'fatal' }> | null = null;
  let notice: string | null = null;
  let laterAttempt = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;

  provider.on('status', ({ status }) => {
    wsStatus = status;
    emit();
  });
  provider.on('sync', (synced) => {
    if (synced) laterAttempt = 0;
    emit();
  });
  provider.on('closed', ({ code, reason }) => {
    const advice = adviceFor(code, reason, laterAttempt);
    if (advice.kind === 'later') {
      // y-websocket stopped; come back once, slowly, instead of knocking every 2 s.
      laterAttempt++;
      notice = `${advice.title}; trying again in ${Math.round(advice.retryMs / 1000)} s`;
      retry = setTimeout(() => {
        retry = null;
        notice = null;
        if (!closed && browserOnline) provider.connect();
        emit();
      }, advice.retryMs);
    } else if (advice.kind === 'fatal') closed = advice;
    emit();
  });
  // Chromium keeps an open websocket alive through a network drop for a while; follow the
  // browser's own online/offline signal so edits are known to be local-only straight away.
  const goOffline = () => {
    browserOnline = false;
    provider.disconnect();
    emit();
  };
  const goOnline = () => {
    browserOnline = true;
    // Not after a terminal close (the server would refuse again), nor before a slow retry is due.
    if (!closed && !retry) provider.connect();
    emit();
  };
  window.addEventListener('offline', goOffline);
  window.addEventListener('online', goOnline);
  if (!browserOnline) provider.disconnect();

  return {
    sessionId,
    doc,
    provider,
    persistence,
    origin,
    undo,
    state: () => (!browserOnline || wsStatus === 'disconnected' ? (closed || !browserOnline ? 'offline' : 'connecting') : wsStatus === 'connected' ? 'online' : 'connecting'),
    synced: () => provider.synced,
    onState: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    closedReason: () => closed?.title ?? null,
    closeAdvice: () => closed,
    notice: () => notice,
    destroy: () => {
      if (retry) clearTimeout(retry);
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
      undo.destroy();
      provider.destroy();
      void persistence.destroy();
      doc.destroy();
    },
  };
}

// Folding a session's stored state: its snapshot and log rows replayed into a scratch Y.Doc (so
// deleted content is garbage-collected) and encoded again as one update, plus the title the
// session list shows. Pure: the same on the main thread and in the fold worker (./fold-worker.ts).
import * as Y from 'yjs';
import { readMeta } from '@/lib/score';

export interface Folded {
  snapshot: Uint8Array;
  title: string;
}

export function foldUpdates(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Folded {
  const doc = new Y.Doc();
  try {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const u of updates) Y.applyUpdate(doc, u);
    return { snapshot: Y.encodeStateAsUpdate(doc), title: readMeta(doc).title };
  } finally {
    doc.destroy();
  }
}

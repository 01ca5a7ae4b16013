// The session size limit (server/sync/doc-guard.ts) is checked against a running upper bound and
// measured (one full encode) only when the bound says the limit might be passed. A client that keeps
// sending an update over the limit must not cost one full encode per message; after a deletion the
// real size is measured again, so a session that shrank accepts new notes.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, addTrack, notesMap, readTracks, type NoteData } from '@/lib/score';
import { DocGuard } from '@/server/sync/doc-guard';
import { CLOSE, ProtocolError } from '@/server/sync/errors';

const notes = (trackId: string, from: number, n: number): NoteData[] =>
  Array.from({ length: n }, (_, i) => ({ trackId: trackId as NoteData['trackId'], pitch: 60, start: (from + i) * 120, duration: 120, velocity: 90 }));

/** The update a client sends when it adds `n` notes to what it has of `base`. */
function clientUpdate(base: Y.Doc, n: number, from: number): Uint8Array {
  const c = new Y.Doc();
  Y.applyUpdate(c, Y.encodeStateAsUpdate(base));
  const out: Uint8Array[] = [];
  c.on('update', (u: Uint8Array) => out.push(u));
  addNotes(c, notes(readTracks(c)[0]!.id, from, n));
  return Y.mergeUpdates(out);
}

describe('session size limit', () => {
  it('measures the document once while nothing was deleted, and again after a deletion', () => {
    const doc = new Y.Doc();
    addTrack(doc, { name: 'Melody' });
    addNotes(doc, notes(readTracks(doc)[0]!.id, 0, 200));
    const size = Y.encodeStateAsUpdate(doc).length;
    const guard = new DocGuard({ maxDocBytes: size + 2_000, maxNotes: 10_000, maxTracks: 16, schemaGuard: true });
    guard.loaded(size);
    doc.on('afterTransaction', (tr: Y.Transaction) => void (tr.deleteSet.clients.size > 0 && guard.deleted()));

    const big = clientUpdate(doc, 100, 1_000); // well over the 2 kB headroom
    for (let i = 0; i < 10; i++) {
      let err: unknown;
      try {
        guard.apply(doc, big, 'peer');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).closeCode).toBe(CLOSE.overLimit);
    }
    expect(guard.measurements).toBe(1);
    expect(notesMap(doc).size).toBe(200);

    // Deleting most notes (and letting Yjs collect them) makes room: the guard measures again and admits.
    doc.transact(() => [...notesMap(doc).keys()].slice(0, 180).forEach((k) => notesMap(doc).delete(k)));
    expect(() => guard.apply(doc, clientUpdate(doc, 100, 2_000), 'peer')).not.toThrow();
    expect(guard.measurements).toBe(2);
    expect(notesMap(doc).size).toBe(120);
  });
});

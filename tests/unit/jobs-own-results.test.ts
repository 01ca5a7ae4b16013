// The requester's Ctrl+Z removes a whole AI result in one step, even though the result arrives as
// a remote transaction, and never reverts a collaborator's edit. Two Y.Docs stand for the server
// and the browser; updates travel between them as they would over the websocket.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, addTrack, initScore, jobOrigin, metaMap, notesMap, readNotes, tracksMap, writeJobState, type TrackId } from '@/lib/score';
import { applyResult } from '@/server/jobs/apply';
import { noteRequested, trackOwnResults } from '@/app/editor/ai/own-results';
import type { Editor } from '@/app/editor/editor';

function setup(synced = true) {
  const server = new Y.Doc();
  initScore(server);
  const mel = addTrack(server, { name: 'Melody', role: 'melody' });
  const client = new Y.Doc();
  const provider = { name: 'provider' };
  server.on('update', (u: Uint8Array, o: unknown) => o !== 'from-client' && Y.applyUpdate(client, u, provider));
  client.on('update', (u: Uint8Array, o: unknown) => o !== provider && Y.applyUpdate(server, u, 'from-client'));
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server), provider);
  const origin = { user: client.clientID };
  const undo = new Y.UndoManager([notesMap(client), tracksMap(client), metaMap(client)], { trackedOrigins: new Set([origin]), captureTimeout: 0 });
  const editor = { conn: { doc: client, undo, origin, synced: () => synced } } as unknown as Editor;
  const stop = trackOwnResults(editor, 'me');
  return { server, client, mel, origin, undo, editor, stop };
}

function land(server: Y.Doc, jobId: string, trackId: TrackId, remove: string[] = []) {
  server.transact(
    () =>
      applyResult(
        server,
        {
          newTracks: [{ ref: 'alto', name: 'Alto', instrument: 'choir', role: 'accompaniment' }],
          add: [
            { trackId: 'alto' as TrackId, pitch: 55, start: 0, duration: 960, velocity: 70 },
            { trackId: trackId, pitch: 79, start: 960, duration: 480, velocity: 70 },
          ],
          remove: remove as never[],
        },
        jobOrigin(jobId),
        { jobId },
      ),
    jobOrigin(jobId),
  );
}

describe('trackOwnResults', () => {
  it('puts my result on my undo stack as one item; undo keeps the others’ edits', () => {
    const { server, client, mel, origin, undo, editor } = setup();
    addNotes(client, [{ trackId: mel.id, pitch: 60, start: 0, duration: 480, velocity: 80 }], origin); // mine
    const theirs = addNotes(server, [{ trackId: mel.id, pitch: 62, start: 480, duration: 480, velocity: 80 }], 'peer');
    writeJobState(server, 'J', { model: 'arcnn', task: 'rewrite', requesterId: 'me', requesterName: 'me', createdAt: 1 });
    noteRequested(editor, 'J');
    land(server, 'J', mel.id, [theirs[0]!.id]);
    expect(readNotes(client).map((n) => n.pitch).sort()).toEqual([55, 60, 79]);
    expect(undo.undoStack).toHaveLength(2);
    addNotes(server, [{ trackId: mel.id, pitch: 64, start: 1920, duration: 480, velocity: 80 }], 'peer'); // a later peer edit
    undo.undo();
    expect(readNotes(client).map((n) => n.pitch).sort()).toEqual([60, 62, 64]);
    expect(tracksMap(client).size).toBe(1);
    expect(readNotes(server).map((n) => n.pitch).sort()).toEqual([60, 62, 64]);
    undo.redo();
    expect(readNotes(server).map((n) => n.pitch).sort()).toEqual([55, 60, 64, 79]);
  });

  it('ignores results of jobs requested elsewhere, and of mine while not synced', () => {
    const a = setup();
    writeJobState(a.server, 'K', { model: 'gan', task: 'accompany', requesterId: 'someone-else', requesterName: 'x', createdAt: 1 });
    land(a.server, 'K', a.mel.id);
    expect(a.undo.undoStack).toHaveLength(0);
    const b = setup(false);
    writeJobState(b.server, 'L', { model: 'gan', task: 'accompany', requesterId: 'me', requesterName: 'me', createdAt: 1 });
    noteRequested(b.editor, 'L');
    land(b.server, 'L', b.mel.id);
    expect(b.undo.undoStack).toHaveLength(0);
  });
});

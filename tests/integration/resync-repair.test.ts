// A resync (sync step 2) that the schema guard would refuse is resent by the stock y-websocket
// provider on every reconnect, so refusing it locks a legitimate client out for good. The case
// that happens without any hostile party: a server writes job state to `jobs`, broadcasts it,
// and dies inside the 250 ms batch window; the restarted server lacks those items, and every
// client that received them resends them in its step 2. The server now applies such a resync and
// undoes what is not the client's to write in the same transaction (jobs back to the server's
// state, invalid new entries deleted), so the client converges and stays connected; a step 2
// that would overwrite existing data (`notes.set(existingId, 42)`) is still refused with 4422.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { addNotes, findInvalidEntries, jobsMap, notesMap, readJob, readNotes, readTracks, writeJobState, type NoteData } from '@/lib/score';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectClient, connectSynced, docFromRows, openRaw, waitFor, withTimeout, type Client } from './sync-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;

/** A sync frame (type 0) of sync type 1 (step 2) or 2 (update) carrying `update`. */
function syncFrame(syncType: 1 | 2, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, syncType);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}
/** A sync step 1 frame with an empty state vector: the server must answer it while the socket lives. */
const step1Frame = (): Uint8Array => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
  return encoding.toUint8Array(e);
};

/** What `edit`, made on a copy of `base` by another Yjs client id, adds to `base`. */
function craft(base: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(base));
  const sv = Y.encodeStateVector(scratch);
  edit(scratch);
  const out = Y.encodeStateAsUpdate(scratch, sv);
  scratch.destroy();
  return out;
}

const job = { model: 'transformer', task: 'melody', requesterId: 'p1', requesterName: 'Ana', createdAt: 1 };
const note = (trackId: string, i: number): NoteData => ({ trackId: trackId as NoteData['trackId'], pitch: 60 + i, start: i * 120, duration: 120, velocity: 90 });

describe('a resync the guard would refuse', () => {
  let server: Server;
  let id: string;
  const clients: Client[] = [];
  const serverDoc = () => server.rooms.peek(id)!.doc;

  beforeAll(async () => {
    server = await startInProcessServer();
    id = await createSession(server.url);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it('job state a crashed server broadcast but never stored: the client converges and stays connected', async () => {
    const observer = await connectSynced(server.wsUrl, id);
    clients.push(observer);
    const c = connectClient(server.wsUrl, id);
    clients.push(c);
    await c.synced;
    // The (current) server's job j0, as every client has it.
    await server.rooms.withDoc(id, (d) => writeJobState(d, 'j0', job));
    await waitFor(() => jobsMap(c.doc).has('j0') && jobsMap(observer.doc).has('j0'), 10_000, 'j0 to reach the clients');

    // What a server that then crashed inside the batch window had broadcast to c alone: j0 moved
    // on (a field write, deleting the stored status item) and a new job j1. Applied with the
    // provider as origin, as y-websocket applies what the server sends (so c does not send it on).
    const lost = craft(serverDoc(), (d) => {
      writeJobState(d, 'j0', { status: 'running', progress: 0.5, startedAt: 2 });
      writeJobState(d, 'j1', { ...job, createdAt: 3 });
    });
    Y.applyUpdate(c.doc, lost, c.provider);
    expect(readJob('j0', jobsMap(c.doc).get('j0'))!.status).toBe('running');

    let closes = 0;
    c.provider.on('connection-close', () => void closes++);
    let syncs = 0;
    c.provider.on('sync', (s: boolean) => void (s && syncs++));
    // The reconnect after the crash: c's step 2 carries the items the server lacks.
    c.provider.disconnect();
    c.provider.connect();
    await waitFor(
      () => c.provider.wsconnected && syncs > 0 && Buffer.from(Y.encodeStateVector(c.doc)).equals(Buffer.from(Y.encodeStateVector(serverDoc()))),
      15_000,
      'c to converge with the server',
    );
    // The server's job state stands everywhere; the crashed server's is gone, nothing invalid anywhere.
    for (const d of [serverDoc(), c.doc]) {
      expect(readJob('j0', jobsMap(d).get('j0'))).toMatchObject({ status: 'queued', progress: 0, startedAt: null });
      expect(jobsMap(d).has('j1')).toBe(false);
      expect(findInvalidEntries(d)).toEqual([]);
    }
    await waitFor(() => Buffer.from(Y.encodeStateVector(observer.doc)).equals(Buffer.from(Y.encodeStateVector(serverDoc()))), 10_000, 'the observer to converge');
    expect(readJob('j0', jobsMap(observer.doc).get('j0'))!.status).toBe('queued');

    // c stays connected and edits on: its next edit reaches the observer over the same socket.
    const trackId = readTracks(c.doc)[0]!.id;
    addNotes(c.doc, [note(trackId, 1)]);
    await waitFor(() => readNotes(observer.doc).length === readNotes(c.doc).length, 10_000, 'c’s edit to reach the observer');
    // Another reconnect resends nothing the server refuses.
    c.provider.disconnect();
    c.provider.connect();
    const before = syncs;
    await waitFor(() => c.provider.wsconnected && syncs > before, 10_000, 'c to resync');
    addNotes(c.doc, [note(trackId, 2)]);
    await waitFor(() => readNotes(observer.doc).length === readNotes(c.doc).length, 10_000, 'c’s second edit to reach the observer');
    expect(closes).toBe(2); // the two disconnects this test made, no refusal

    await server.rooms.peek(id)!.persister.flush();
    const stored = docFromRows((await server.rooms.store.loadDoc(id))!);
    expect(findInvalidEntries(stored)).toEqual([]);
    expect(jobsMap(stored).has('j1')).toBe(false);
    expect(readJob('j0', jobsMap(stored).get('j0'))!.status).toBe('queued');
  });

  it('an invalid new note in a step 2 is applied and deleted, and the sender learns the deletion', async () => {
    const raw = await openRaw(server.wsUrl, id);
    const trackId = readTracks(serverDoc())[0]!.id;
    const bad = craft(serverDoc(), (d) => {
      const n = new Y.Map<unknown>();
      notesMap(d).set('n-bad-resync' as never, n as never);
      n.set('trackId', trackId);
      n.set('pitch', 500); // out of range
    });
    const count = readNotes(serverDoc()).length;
    // What the sender holds: the server's state and its own bad note.
    const mine = new Y.Doc();
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(serverDoc()));
    Y.applyUpdate(mine, bad);
    expect(notesMap(mine).has('n-bad-resync' as never)).toBe(true);
    const seen = raw.messages.length;
    raw.ws.send(syncFrame(1, bad));
    // The sender is sent the update together with its undo, as a plain sync update.
    const updatesSince = () =>
      raw.messages.slice(seen).flatMap((m) => {
        const d = decoding.createDecoder(m);
        return decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 2 ? [decoding.readVarUint8Array(d)] : [];
      });
    await waitFor(() => updatesSince().length > 0, 10_000, 'the undo to reach the sender');
    for (const u of updatesSince()) Y.applyUpdate(mine, u);
    expect(notesMap(mine).has('n-bad-resync' as never)).toBe(false);
    expect(Buffer.from(Y.encodeStateVector(mine)).equals(Buffer.from(Y.encodeStateVector(serverDoc())))).toBe(true);
    expect(notesMap(serverDoc()).has('n-bad-resync' as never)).toBe(false);
    expect(readNotes(serverDoc()).length).toBe(count);
    expect(findInvalidEntries(serverDoc())).toEqual([]);
    // Still open: a step 1 is answered.
    const answered = raw.messages.length;
    raw.ws.send(step1Frame());
    await waitFor(() => raw.messages.length > answered, 10_000, 'the server to answer step 1');
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    raw.ws.close();
  });

  it('still refuses a step 2 that would overwrite an existing note (notes.set(existingId, 42)), and the note stays', async () => {
    const c = await connectSynced(server.wsUrl, id);
    clients.push(c);
    const trackId = readTracks(c.doc)[0]!.id;
    const noteId = addNotes(c.doc, [note(trackId, 5)])[0]!.id;
    await waitFor(() => notesMap(serverDoc()).has(noteId), 10_000, 'the note to reach the server');
    const raw = await openRaw(server.wsUrl, id);
    const before = Y.encodeStateAsUpdate(serverDoc());
    raw.ws.send(syncFrame(1, craft(serverDoc(), (d) => notesMap(d).set(noteId, 42 as never))));
    const closed = await withTimeout(raw.closed, 10_000, 'the server to close the offender');
    expect(closed.code).toBe(4422);
    expect(closed.reason).toMatch(/must be a map/);
    expect(Y.encodeStateAsUpdate(serverDoc())).toEqual(before);
    expect(readNotes(serverDoc()).some((n) => n.id === noteId)).toBe(true);
  });

  it('still refuses a live update to the jobs list', async () => {
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send(syncFrame(2, craft(serverDoc(), (d) => d.getMap('jobs').set('x', 'x'))));
    const closed = await withTimeout(raw.closed, 10_000, 'the server to close the offender');
    expect(closed.code).toBe(4422);
    expect(jobsMap(serverDoc()).has('x')).toBe(false);
  });
});

// Two stock y-websocket clients on one session through the real server: concurrent edits
// converge, presence propagates, and a late joiner receives the full state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, moveNotes, readNotes, readScore, readTracks, updateNotes, type NoteId } from '@/lib/score';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectSynced, waitFor, type Client } from './sync-helpers';

describe('sync between y-websocket clients', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  const clients: Client[] = [];
  const client = async (id: string) => {
    const c = await connectSynced(server.wsUrl, id);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startInProcessServer();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it('serves a new session with its meta and melody track to a fresh client', async () => {
    const id = await createSession(server.url, 'Chorale sketch');
    const a = await client(id);
    expect(readScore(a.doc).meta.title).toBe('Chorale sketch');
    expect(readTracks(a.doc).map((t) => t.role)).toEqual(['melody']);
  });

  it('converges concurrent edits from two clients, including edits of the same note', async () => {
    const id = await createSession(server.url);
    const [a, b] = [await client(id), await client(id)];
    const trackId = readTracks(a.doc)[0]!.id;
    const [shared] = addNotes(a.doc, [{ trackId, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
    await waitFor(() => readNotes(b.doc).length === 1, 10_000, 'b to see the shared note');

    // Concurrent: each adds its own notes, a moves the shared note in time while b transposes it.
    for (let i = 0; i < 20; i++) {
      addNotes(a.doc, [{ trackId, pitch: 62 + (i % 10), start: 480 * (i + 1), duration: 240, velocity: 80 }]);
      addNotes(b.doc, [{ trackId, pitch: 50 + (i % 10), start: 480 * (i + 1), duration: 120, velocity: 70 }]);
    }
    moveNotes(a.doc, [shared!.id], 960, 0);
    updateNotes(b.doc, { [shared!.id]: { pitch: 67 } });

    const key = (c: Client) => JSON.stringify(readNotes(c.doc));
    await waitFor(() => readNotes(a.doc).length === 41 && key(a) === key(b), 10_000, 'convergence');
    const note = readNotes(a.doc).find((n) => n.id === (shared!.id as NoteId))!;
    expect(note).toMatchObject({ start: 960, pitch: 67 }); // both concurrent field edits survive
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));

    // The server's copy is the same document.
    const room = server.rooms.peek(id)!;
    expect(JSON.stringify(readNotes(room.doc))).toBe(key(a));
  });

  it('propagates awareness (presence) between clients and removes it when a client leaves', async () => {
    const id = await createSession(server.url);
    const [a, b] = [await client(id), await client(id)];
    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e4572e' });
    await waitFor(() => (b.provider.awareness.getStates().get(a.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name === 'Ada', 10_000, 'b to see Ada');
    b.provider.awareness.setLocalStateField('cursor', { tick: 960, pitch: 64 });
    await waitFor(() => !!(a.provider.awareness.getStates().get(b.doc.clientID) as { cursor?: unknown } | undefined)?.cursor, 10_000, 'a to see b’s cursor');

    const aId = a.doc.clientID;
    a.destroy();
    clients.splice(clients.indexOf(a), 1);
    await waitFor(() => !b.provider.awareness.getStates().has(aId), 10_000, 'Ada’s presence to be removed');
  });

  it('gives a late third client the full state', async () => {
    const id = await createSession(server.url);
    const [a, b] = [await client(id), await client(id)];
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, Array.from({ length: 100 }, (_, i) => ({ trackId, pitch: 40 + (i % 40), start: i * 120, duration: 120, velocity: 64 })));
    addNotes(b.doc, Array.from({ length: 50 }, (_, i) => ({ trackId, pitch: 80 - (i % 20), start: i * 240, duration: 240, velocity: 100 })));
    await waitFor(() => readNotes(a.doc).length === 150 && readNotes(b.doc).length === 150, 10_000, 'a and b to converge');

    const c = await client(id);
    expect(readNotes(c.doc)).toEqual(readNotes(a.doc));
    expect(readScore(c.doc)).toEqual(readScore(b.doc));
  });
});
